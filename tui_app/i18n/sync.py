"""Catalog section: sync, conflicts and the central store. Key → (中文, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- errors a sync can end with (one line each)
    "sync.no_central": ("未设置中心库地址。请用 --central 指定，"
                        "或运行 `fieldlog init --central URL`，或设置环境变量 FIELDLOG_CENTRAL。",
                        "No central store set. Pass --central, run `fieldlog init --central URL`, "
                        "or set FIELDLOG_CENTRAL."),
    "sync.bad_url": ("无法识别中心库地址“{url}”：请用 sqlite:///路径、postgresql://… 或文件路径。",
                     "Unrecognised central URL '{url}': use sqlite:///path, postgresql://… or a "
                     "file path."),
    "sync.unreachable": ("无法连接中心库 {url}：{detail}。本机数据未做任何改动，联网后请重试。",
                         "Cannot reach the central store {url}: {detail}. Nothing was changed "
                         "here; retry when online."),
    "sync.central_error": ("中心库 {url} 出错：{detail}。本机未确认的记录仍保留，稍后重试即可。",
                           "The central store {url} failed: {detail}. Unacknowledged changes "
                           "stay on this laptop; retry later."),
    "sync.central_missing": ("中心库文件不存在：{url}。请检查共享盘或 U 盘是否已连接；新建请运行 "
                             "`fieldlog central init {url}`。本机数据未做任何改动。",
                             "No central store file at {url}. Is the share or USB stick "
                             "connected? To create one run `fieldlog central init {url}`. "
                             "Nothing was changed here."),
    "sync.central_not_initialised": ("{url} 还不是中心库。请先运行 `fieldlog central init {url}`。",
                                     "{url} is not a central store yet. Run "
                                     "`fieldlog central init {url}` first."),
    "sync.central_newer": ("中心库 {url} 的版本比本程序新，请先升级 fieldlog。",
                           "The central store {url} is newer than this program; upgrade "
                           "fieldlog first."),
    "sync.central_old": ("中心库 {url} 需要升级：请运行 `fieldlog central init {url}`。",
                         "The central store {url} needs an upgrade: run "
                         "`fieldlog central init {url}`."),
    # ---- why the central store refused a change
    "sync.reason.unknown_kind": ("未知的记录类型", "unknown record kind"),
    "sync.reason.missing_id": ("缺少编号", "missing id"),
    "sync.reason.bad_body": ("内容格式错误", "malformed content"),
    "sync.reason.bad_pack": ("行动配置包无效", "invalid campaign pack"),
    "sync.reason.id_mismatch": ("编号或版本与内容不符",
                                "id or revision does not match the content"),
    "sync.reason.missing_base": ("缺少所依据的上一版本",
                                 "the revision it was made from is missing"),
    "sync.reason.kind_mismatch": ("记录类型与中心库已存的不符",
                                  "the record kind differs from the one stored centrally"),
    "sync.reason.not_owner": ("记录属于其他执法人员，只能由本人上传",
                              "the record belongs to another inspector; only they may push it"),
    # ---- CLI
    "cli.opt.central": ("中心库地址（默认取 FIELDLOG_CENTRAL 或 init 中的设置）",
                        "central store URL (default: FIELDLOG_CENTRAL or the init setting)"),
    "cli.opt.scope_central": ("范围：local 本机，central 中心库（全区）",
                              "scope: local (this laptop) or central (district-wide)"),
    "cli.sync.help": ("同步：先上传本机未确认的记录，再下载全队的记录与主体库。",
                      "Sync: push this laptop's unacknowledged changes, then pull the team's."),
    "cli.sync.phase.push": ("上传", "push"),
    "cli.sync.phase.pull": ("下载", "pull"),
    "cli.sync.summary": ("同步完成：上传 {pushed} 条（重复 {duplicates} 条），下载 {pulled} 条，"
                         "冲突 {conflicts} 条，用时 {seconds} 秒。",
                         "Sync done: pushed {pushed} (duplicates {duplicates}), pulled {pulled}, "
                         "conflicts {conflicts}, {seconds} s."),
    "cli.sync.new_epoch": ("中心库已更换或从备份恢复：已重新下载全部数据，并补传本机记录。",
                           "The central store is new or restored: pulled everything afresh and "
                           "re-sent this laptop's records."),
    "cli.sync.conflicts_title": ("本次同步的冲突（另一版本已先到中心库，本机版本已保留）",
                                 "Conflicts in this sync (another version reached the central "
                                 "store first; this laptop's version is kept aside)"),
    "cli.sync.conflicts_hint": ("用 `fieldlog conflicts` 查看被保留的版本。",
                                "See the versions kept aside with `fieldlog conflicts`."),
    "cli.sync.rejected_line": ("中心库拒收：记录 {id} 第 {rev} 版，原因：{reason}",
                               "Refused by the central store: record {id} rev {rev}: {reason}"),
    "cli.sync.rejected": ("{count} 条修改被中心库拒收，"
                          "已移入隔离区（`fieldlog conflicts` 可查看）。",
                          "{count} change(s) were refused and set aside in quarantine (see "
                          "`fieldlog conflicts`)."),
    "cli.conflicts.help": ("查看同步时保留的冲突版本和被拒收的修改（从不丢弃）。",
                           "Show what sync kept aside: conflicting versions and refused changes "
                           "(never dropped)."),
    "cli.conflicts.title": ("冲突（共 {count} 条）", "Conflicts ({count})"),
    "cli.conflicts.central_title": ("中心库保留的冲突版本（共 {count} 条）",
                                    "Versions kept aside by the central store ({count})"),
    "cli.conflicts.quarantine_title": ("被拒收的修改（共 {count} 条）",
                                       "Refused changes ({count})"),
    "cli.central.help": ("中心库：创建或升级，为新笔记本生成全区快照。",
                         "The central store: create or upgrade it, build the district "
                         "snapshot for new laptops."),
    "cli.central.init.help": ("在 URL 处创建中心库，或将其升级到最新结构（sqlite:///路径 或 "
                              "postgresql://…）。",
                              "Create the central store at URL, or upgrade it to the latest "
                              "schema (sqlite:///path or postgresql://…)."),
    "cli.central.new_epoch": ("从备份恢复后使用：更换纪元，所有笔记本将重新下载并补传。",
                              "use after restoring a backup: a new epoch makes every laptop pull "
                              "afresh and re-send its records."),
    "cli.central.created": ("中心库已就绪：{url}（应用迁移 {names}；纪元 {epoch}）",
                            "Central store ready: {url} (applied {names}; epoch {epoch})"),
    "cli.central.up_to_date": ("中心库已是最新：{url}（纪元 {epoch}）",
                               "Central store is up to date: {url} (epoch {epoch})"),
    "col.lost": ("保留的版本", "kept aside"),
    "col.kept": ("生效的版本", "in force"),
    "col.reason": ("原因", "reason"),
    "col.inspector": ("执法人员", "inspector"),
}
