"""Catalog section: the TUI's report screen (`r`). Key → (中文, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ui.key.report": ("工作汇报", "Report"),
    "ui.key.export": ("导出", "Export"),
    "ui.cmd.report": ("工作汇报：选择期间和范围，导出 md/txt/docx",
                      "Work report: choose the period and scope, export md/txt/docx"),
    "ui.report.title": ("工作汇报（起止日期后按回车刷新；Ctrl+S 导出）",
                        "Work report (enter after a date refreshes; ctrl+s exports)"),
    "ui.report.from": ("起始日期", "From"),
    "ui.report.to": ("截止日期", "To"),
    "ui.report.scope": ("范围", "Scope"),
    "ui.report.scope_local": ("本机记录", "This laptop"),
    "ui.report.scope_central": ("中心库（全体人员）", "Central store (everyone)"),
    "ui.report.export_as": ("导出为", "Export as"),
    "ui.report.bad_date": ("{field}：{detail}", "{field}: {detail}"),
    "ui.report.no_central": ("未设置中心库地址：按 Esc 返回首页，按 i 在设置中填写中心库地址"
                             "（或运行 `fieldlog init --central URL`），再查看中心库汇报。",
                             "No central store set: press Esc, then i, and fill in the central "
                             "store in the settings (or run `fieldlog init --central URL`)."),
    "ui.report.shown": ("{scope} | {start} 至 {end}", "{scope} | {start} to {end}"),
    "ui.report.nothing_to_export": ("还没有可导出的汇报，请先修正上面的日期或范围。",
                                    "No report to export yet; fix the dates or scope above first."),
    "ui.report.exporting": ("正在导出到 {path}…", "Exporting to {path}…"),
    "ui.report.exported": ("已导出 {path}", "Exported {path}"),
}
