"""Catalog section: first-pull snapshots (the bureau builds one, a new laptop takes it)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- progress phases of `fieldlog sync` and `fieldlog central snapshot`
    "cli.sync.phase.snapshot": ("下载全区快照（字节）", "district snapshot download (bytes)"),
    "cli.sync.phase.snapshot_copy": ("写入全区快照", "district snapshot copy"),
    "cli.sync.phase.snapshot_upload": ("保存快照（字节）", "snapshot upload (bytes)"),
    "cli.sync.snapshot_taken": ("新笔记本：已从全区快照（{built_at} 生成）取得 {records} 条记录版本，"
                                "之后的修改随本次同步下载。",
                                "New laptop: took {records} record revisions from the district "
                                "snapshot built {built_at}; later changes came with this sync."),
    # ---- a snapshot a laptop does not take (a notice; the sync pulls from nothing instead)
    "sync.snapshot_damaged": ("全区快照 {sha} 下载后与其哈希不符（损坏或被篡改），未使用；"
                              "改为完整下载，本机数据未受影响。请通知局里重新生成快照。",
                              "The district snapshot {sha} did not match its hash once downloaded "
                              "(damaged or tampered with) and was not used; pulling everything "
                              "instead, nothing here was touched. Ask the bureau to rebuild it."),
    "sync.snapshot_newer": ("全区快照由更新版本的 FieldLog 生成（结构 {found}，本机 {known}），未使用；"
                            "改为完整下载。请升级 FieldLog。",
                            "The district snapshot was built by a newer FieldLog (schema {found}, "
                            "this one knows {known}) and was not used; pulling everything "
                            "instead. Upgrade FieldLog."),
    "sync.snapshot_other_pack": ("全区快照按另一版本的行动配置包“{pack}”统计，与本机不同，未使用；"
                                 "改为完整下载。",
                                 "The district snapshot counted with another version of the "
                                 "pack '{pack}' than this laptop's and was not used; pulling "
                                 "everything instead."),
    "sync.snapshot_other_epoch": ("全区快照（{built_at} 生成）早于中心库的恢复，未使用；改为完整下载。"
                                  "请通知局里重新生成快照。",
                                  "The district snapshot (built {built_at}) predates the central "
                                  "store's restore and was not used; pulling everything instead. "
                                  "Ask the bureau to rebuild it."),
    "sync.snapshot_unusable": ("全区快照无法打开（{detail}），未使用；改为完整下载。",
                               "The district snapshot could not be opened ({detail}) and was not "
                               "used; pulling everything instead."),
    "sync.snapshot_bad": ("同步服务给出的快照记录无效（{detail}）。",
                          "The sync service's snapshot record is malformed ({detail})."),
    "sync.snapshot_upload": ("快照的一部分 {sha} 保存到中心库后校验不符，快照未记录；请重试。",
                             "A part {sha} of the snapshot did not verify once stored centrally; "
                             "no snapshot was recorded. Retry."),
    # ---- `fieldlog central snapshot`
    "cli.central.snapshot.help": ("为新笔记本生成全区快照：把中心库的全部数据按一次完整同步写成一个"
                                  "笔记本数据库文件，存入中心库；新笔记本首次同步时直接取用，"
                                  "只再下载之后的修改。可用 cron 定时运行（如每晚）。",
                                  "Build the district snapshot for new laptops: the whole central "
                                  "store, as a full pull writes it, into one laptop database file "
                                  "kept in the central store; a new laptop's first sync takes it "
                                  "and pulls only what came after. Cron-able (e.g. nightly)."),
    "cli.central.snapshot.built": ("全区快照已生成：{records} 条记录版本，{mb} MB，{parts} 个分块，"
                                   "游标 {cursor}，用时 {seconds} 秒。",
                                   "District snapshot built: {records} record revisions, {mb} MB "
                                   "in {parts} part(s), cursor {cursor}, {seconds} s."),
}
