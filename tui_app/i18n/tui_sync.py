"""Catalog section: sync in the Textual app (the Sync screen, the dashboard's sync panel)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.key.sync": ("同步", "Sync"),
    "ui.key.sync_again": ("再次同步", "Sync again"),
    "ui.cmd.sync": ("同步：上传本机记录，下载全队记录", "Sync: push this laptop's work, pull the team's"),
    "ui.sync.title": ("同步", "Sync"),
    "ui.sync.central": ("中心库：{url}", "Central store: {url}"),
    "ui.sync.no_central": ("未设置中心库地址：按 Esc 返回，按 i 打开设置，填写“中心库地址”，"
                           "保存后按 s 同步。",
                           "No central store is set: press Esc, then i for Settings, fill in "
                           "\"Central store URL\", save, and press s to sync."),
    "ui.sync.running": ("正在同步…", "Syncing…"),
    "ui.sync.waiting": ("后台自动同步正在进行，结束后马上开始本次同步…",
                        "A background sync is running; this one starts as soon as it ends…"),
    "ui.sync.rejected": ("{count} 条修改被中心库拒收，已移入隔离区（见下表）。",
                         "{count} change(s) were refused and set aside in quarantine (below)."),
    "ui.sync.state.unset": ("未设置中心库", "No central store set"),
    "ui.sync.state.checking": ("正在检查中心库…", "Checking the central store…"),
    "ui.sync.state.online": ("在线：中心库可连接", "Online: the central store is reachable"),
    "ui.sync.state.offline": ("离线：中心库无法连接", "Offline: the central store is unreachable"),
    "ui.sync.auto_on": ("自动同步：开", "Auto-sync: on"),
    "ui.settings.auto_sync": ("自动同步（联网时在后台同步）", "Auto-sync (in the background when online)"),
}
