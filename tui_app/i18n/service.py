"""Catalog section: the HTTP sync service, its tokens, and syncing through it.
Key → (中文, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- the laptop syncing over http(s): each says what to do
    "sync.http_read_model": ("{url} 是同步服务，不是中心库：全区统计、台账和冲突请在局里用数据库地址"
                             "（postgresql://… 或 sqlite:///…）读取。",
                             "{url} is the sync service, not a store: district figures, ledgers "
                             "and conflicts are read at the bureau with the database URL "
                             "(postgresql://… or sqlite:///…)."),
    "sync.http_plain": ("拒绝以明文 http 连接其他机器（{url}）：请用 https://，"
                        "或确认网络可信后加 --insecure。",
                        "Refusing plain http to another machine ({url}): use https://, or add "
                        "--insecure if you trust the network."),
    "sync.insecure_warning": ("警告：本次同步经明文 http 传输（{url}），口令和数据可能被窃听。",
                              "Warning: this sync went over plain http ({url}); the token and "
                              "the data could be read on the way."),
    "sync.token_missing": ("连接同步服务 {url} 需要令牌：请向局里索取后运行 "
                           "`fieldlog init --token 令牌`，或设置环境变量 FIELDLOG_TOKEN。",
                           "The sync service {url} needs a token: ask the bureau for one, then "
                           "run `fieldlog init --token TOKEN` or set FIELDLOG_TOKEN."),
    "sync.token_invalid": ("同步服务 {url} 不认可本机的令牌（输错或不是这个服务的）。请核对 "
                           "`fieldlog init --token` 保存的令牌。本机数据未做任何改动。",
                           "The sync service {url} does not accept this laptop's token (mistyped, "
                           "or for another service). Check the token saved with "
                           "`fieldlog init --token`. Nothing was changed here."),
    "sync.token_revoked": ("本机的令牌已被局里吊销（{url}）。请向局里申请新令牌，再运行 "
                           "`fieldlog init --token 新令牌`。本机数据未做任何改动。",
                           "This laptop's token was revoked by the bureau ({url}). Ask for a new "
                           "one and run `fieldlog init --token NEW`. Nothing was changed here."),
    "sync.token_expired": ("本机的令牌已过期（{url}）。请向局里申请新令牌，再运行 "
                           "`fieldlog init --token 新令牌`。本机数据未做任何改动。",
                           "This laptop's token has expired ({url}). Ask for a new one and run "
                           "`fieldlog init --token NEW`. Nothing was changed here."),
    "sync.token_other_inspector": ("令牌属于执法人员 {token}，而本机登记的是 {laptop}（{url}）："
                                   "请用本人的令牌，或用 `fieldlog init --badge` 改正执法证号。"
                                   "未上传任何记录。",
                                   "The token belongs to inspector {token} but this laptop is "
                                   "{laptop} ({url}): use your own token, or correct the badge "
                                   "with `fieldlog init --badge`. Nothing was sent."),
    "sync.tls_untrusted": ("同步服务 {url} 的证书不受信任。若局里使用自己的证书，请用 "
                           "--ca-file 指定其根证书（或 `fieldlog init --ca-file 文件`）。"
                           "本机数据未做任何改动。",
                           "The certificate of the sync service {url} is not trusted. If the "
                           "bureau uses its own CA, pass its certificate with --ca-file (or "
                           "`fieldlog init --ca-file FILE`). Nothing was changed here."),
    "sync.ca_file_bad": ("无法读取根证书文件 {path}：{detail}",
                         "Cannot read the CA file {path}: {detail}"),
    "sync.http_version": ("同步服务 {url} 使用协议版本 {theirs}，本程序为 {ours}："
                          "请把 fieldlog 升级到与服务相同的版本。",
                          "The sync service {url} speaks protocol {theirs}, this program {ours}: "
                          "upgrade fieldlog to the service's version."),
    "sync.http_unreachable": ("无法连接同步服务 {url}（已重试）：{detail}。本机数据未做任何改动，"
                              "联网后再运行 `fieldlog sync` 即可。",
                              "Cannot reach the sync service {url} (retried): {detail}. Nothing "
                              "was changed here; run `fieldlog sync` again when online."),
    "sync.http_server": ("同步服务 {url} 暂时出错（HTTP {status}，已重试）。本机未确认的记录仍保留，"
                         "稍后再同步即可。",
                         "The sync service {url} is failing (HTTP {status}, retried). "
                         "Unacknowledged changes stay here; sync again later."),
    "sync.http_store_full": ("同步服务 {url} 的中心库所在磁盘已满（已重试）：这次没有写入中心库，"
                             "本机的数据一条未丢，未确认的会再发。请通知局里的信息员腾出空间，稍后重新同步。",
                             "The disk of the central store behind the sync service {url} is full "
                             "(retried): nothing was written there this time; nothing on this "
                             "laptop is lost and unacknowledged changes are sent again. Ask the "
                             "bureau's IT person to free space, then sync again later."),
    "sync.http_store_short": ("同步服务 {url} 的中心库资源不足（已重试）：这次没有写入中心库，"
                              "本机的数据一条未丢，未确认的会再发。请通知局里的信息员，稍后重新同步。",
                              "The central store behind the sync service {url} is short of "
                              "resources (retried): nothing was written there this time; nothing "
                              "on this laptop is lost and unacknowledged changes are sent again. "
                              "Tell the bureau's IT person, then sync again later."),
    "sync.http_refused": ("同步服务 {url} 拒绝了请求（HTTP {status}，{error}）。请把这行信息告诉局里。",
                          "The sync service {url} refused the request (HTTP {status}, {error}). "
                          "Tell the bureau this line."),
    "sync.bureau_only": ("同步服务 {url} 只接受局里的令牌做这件事（名录、行动配置包）；本机的令牌是检查员的。"
                         "请用局里的令牌（`FIELDLOG_TOKEN=…`）再试。中心库未做任何改动。",
                         "The sync service {url} takes this only from a bureau token (the registry, "
                         "campaign packs); this token is an inspector's. Try again with a bureau "
                         "token (`FIELDLOG_TOKEN=…`). Nothing was changed centrally."),
    "sync.http_garbled": ("同步服务 {url} 的应答无法识别：地址可能指向了别的网站。",
                          "The answer from {url} is not the sync service's: the URL may point "
                          "at another site."),
    "sync.reason.not_bureau": ("只有局里的令牌可以发布行动配置包",
                               "only a bureau token may publish campaign packs"),
    # ---- init
    "cli.init.token": ("同步服务的令牌（由局里 `fieldlog token issue` 发放）",
                       "the sync service's token (from the bureau's `fieldlog token issue`)"),
    "cli.init.token_saved": ("令牌", "Token"),
    "cli.init.no_ca_file": ("根证书文件不存在：{path}", "No CA file at {path}"),
    "cli.init.password_dropped": ("密码未保存在本机设置中：请把它写入 ~/.pgpass（或 PostgreSQL "
                                  "服务文件），或改用 https:// 同步服务和令牌。",
                                  "The password was not saved in the local settings: put it in "
                                  "~/.pgpass (or a PostgreSQL service file), or use the https:// "
                                  "sync service with a token."),
    "cli.opt.ca_file": ("信任此根证书（局里自己的 CA）", "trust this CA certificate (the bureau's own)"),
    "cli.opt.insecure": ("允许以明文 http 连接其他机器（会警告）",
                         "allow plain http to another machine (warns)"),
    # ---- serve and tokens (the bureau)
    "cli.opt.store": ("中心库地址（postgresql://… 或 sqlite:///…；环境变量 FIELDLOG_STORE）",
                      "central store URL (postgresql://… or sqlite:///…; env FIELDLOG_STORE)"),
    "cli.serve.help": ("运行 HTTP 同步服务（FastAPI/uvicorn），供外勤笔记本经 https 同步。",
                       "Run the HTTP sync service (FastAPI on uvicorn) for laptops syncing over "
                       "https."),
    "cli.serve.host": ("监听地址（放在 TLS 反向代理之后时保持 127.0.0.1）",
                       "address to listen on (keep 127.0.0.1 behind a TLS reverse proxy)"),
    "cli.serve.workers": ("工作进程数（PostgreSQL 中心库可多进程）",
                          "worker processes (several against PostgreSQL)"),
    "cli.serve.max_body": ("请求体上限（MB，解压后同样适用）",
                           "request body limit in MB (after decompression too)"),
    "cli.serve.max_batch": ("每次上传的最多条数", "most changes per push"),
    "cli.serve.rate": ("每个令牌每秒请求数上限（每个工作进程分别计算）",
                       "requests per second per token (counted per worker)"),
    "cli.serve.starting": ("同步服务启动：http://{host}:{port}，{workers} 个工作进程。",
                           "Sync service on http://{host}:{port}, {workers} worker(s)."),
    "cli.token.help": ("同步服务的令牌：发放、列出、吊销。", "Tokens of the sync service: issue, list, revoke."),
    "cli.token.issue.help": ("为执法人员发放令牌（只显示这一次）。",
                             "Issue a token for an inspector (shown this once)."),
    "cli.token.inspector": ("执法人员编号（执法证号）", "the inspector's id (badge number)"),
    "cli.serve.port": ("监听端口", "port to listen on"),
    "cli.token.role": ("inspector：只推送本人的记录；bureau：还可发布行动包和名录、读取全部",
                       "inspector: pushes only its own records; "
                       "bureau: also publishes packs and the registry, reads everything"),
    "cli.token.name": ("备注名，例如笔记本名称", "a label, e.g. the laptop's name"),
    "cli.token.expires": ("有效天数（默认不过期）", "valid for this many days (default: no expiry)"),
    "cli.token.issued": ("已发放令牌 {id}（执法人员 {inspector}，角色 {role}，有效期至 {expires}）。"
                         "令牌只显示这一次，本库只保存其散列值。",
                         "Issued token {id} (inspector {inspector}, role {role}, expires "
                         "{expires}). It is shown this once; the store keeps only its hash."),
    "cli.token.never": ("不过期", "never"),
    "cli.token.hint": ("执法人员在笔记本上保存：fieldlog init --central https://服务地址 --token {token}",
                       "The inspector saves it with: fieldlog init --central https://SERVICE "
                       "--token {token}"),
    "cli.token.list.help": ("列出令牌（不显示令牌本身）。", "List tokens (never the secret)."),
    "cli.token.list.title": ("令牌（{count} 个）", "Tokens ({count})"),
    "cli.token.revoke.help": ("吊销令牌：下一次请求起即被拒绝。",
                              "Revoke a token: refused from its next request on."),
    "cli.token.revoked": ("令牌 {id}（执法人员 {inspector}）已于 {at} 吊销。",
                          "Token {id} (inspector {inspector}) revoked at {at}."),
    "token.no_inspector": ("请用 --inspector 指定执法人员编号。", "Name the inspector with --inspector."),
    "token.bad_role": ("未知角色“{role}”：只能是 inspector 或 bureau。",
                       "Unknown role '{role}': inspector or bureau."),
    "token.bad_expiry": ("有效天数须至少为 1（{days}）。", "The expiry must be at least 1 day ({days})."),
    "token.unknown": ("没有编号为 {id} 的令牌（见 `fieldlog token list`）。",
                      "No token with id {id} (see `fieldlog token list`)."),
    "token.no_record": ("中心库中没有记录 {id}。", "No record {id} in the central store."),
    "service.store_not_http": ("{url} 是同步服务地址：serve 和 token 命令需要中心库本身的地址"
                               "（postgresql://… 或 sqlite:///…）。",
                               "{url} is a service URL: serve and token need the store's own URL "
                               "(postgresql://… or sqlite:///…)."),
    "service.bad_batch": ("--max-batch 须在 1 到 {most} 之间。", "--max-batch must be 1 to {most}."),
    "col.role": ("角色", "Role"),
    "col.created": ("创建时间", "Created"),
    "col.last_used": ("最近使用", "Last used"),
    "col.expires": ("到期", "Expires"),
    "col.revoked": ("吊销时间", "Revoked"),
}
