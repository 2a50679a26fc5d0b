"""Catalog section: the demo database (`fieldlog demo`). Key → (中文, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "demo.help": ("生成一个独立的演示数据库：“中秋守护”行动一周的模拟数据（不会改动正式数据库）。",
                  "Create a separate demo database with a synthetic week of the Mid-Autumn Guard "
                  "campaign (your real database is never touched)."),
    "demo.opt.reset": ("清空演示数据库后重新生成。", "Empty the demo database and fill it again."),
    "demo.opt.days": ("生成多少天的数据（在行动期间内）。", "How many campaign days to generate."),
    "demo.bad_days": ("天数 {days} 不对：应在 1 到 {max} 之间（行动期间的天数）。",
                      "{days} days is not possible: give 1 to {max} (the campaign's length)."),
    "demo.same_as_real": ("演示数据库 {path} 与正式数据库是同一个文件，已拒绝。"
                          "请设置 FIELDLOG_DEMO_DB 为其他路径。",
                          "The demo database {path} is your real database; refused. Point "
                          "FIELDLOG_DEMO_DB elsewhere."),
    "demo.not_demo": ("{path} 中已有记录且不是演示数据库，不会改动它。"
                      "请设置 FIELDLOG_DEMO_DB 为其他路径。",
                      "{path} holds records and is not a demo database; it was left alone. Point "
                      "FIELDLOG_DEMO_DB elsewhere."),
    "demo.created": ("已生成演示数据库 {path}", "Demo database created: {path}"),
    "demo.exists": ("演示数据库已存在，未重复生成：{path}（用 --reset 重新生成）",
                    "The demo database already exists and was left as it is: {path} "
                    "(use --reset to refill it)"),
    "demo.counts": ("市场主体 {entity} 户，检查记录 {inspection} 条，案件 {case} 起，"
                    "投诉举报 {complaint} 起，工作记录 {activity} 条。",
                    "{entity} entities, {inspection} inspections, {case} cases, {complaint} "
                    "complaints, {activity} activities."),
    "demo.hint": ("打开演示数据：{open}\n查看统计：{tally}",
                  "Open the demo: {open}\nSee its tallies: {tally}"),
}
