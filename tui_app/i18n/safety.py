"""Catalog section: keeping data safe (full disks, read-only files, newer versions,
hostile files and packs, backups). Key → (中文, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- the database file
    "db.read_only": (
        "数据库 {path} 是只读的（文件、所在文件夹或磁盘不可写），无法保存。已保存的数据不受影响。"
        "请把它复制到可写的位置并用 --db 指定，或请管理员恢复写权限；查询、统计、汇报仍可使用。",
        "The database {path} is read-only (the file, its folder or the disk cannot be written), "
        "so nothing can be saved; what is saved is unharmed. Copy it somewhere writable and pass "
        "--db, or have the write permission restored; lists, tallies and reports still work."),
    "db.full": (
        "磁盘已满，{path} 无法写入：本次操作未保存，之前保存的数据完好。"
        "请腾出磁盘空间（如删除旧备份 `fieldlog backup list` 或大文件）后重试。",
        "The disk is full, {path} cannot be written: this change was not saved, everything "
        "saved before is intact. Free some space (old backups: `fieldlog backup list`, big "
        "files) and try again."),
    "db.io_error": (
        "读写 {path} 时磁盘出错：本次操作未保存。请检查磁盘或U盘是否已拔出，然后运行 `fieldlog doctor`。",
        "A disk error while writing {path}: this change was not saved. Check that the disk or "
        "USB stick is still there, then run `fieldlog doctor`."),
    "db.corrupt": (
        "{path} 不是 FieldLog 数据库或已损坏。请用 `fieldlog backup list` 找到最近的备份，"
        "再用 `fieldlog backup restore` 恢复。",
        "{path} is not a FieldLog database or is damaged. Find the latest backup with "
        "`fieldlog backup list` and restore it with `fieldlog backup restore`."),
    "db.busy": (
        "数据库 {path} 正被另一个程序长时间占用，本次操作未保存。请关闭其他 FieldLog 窗口后重试。",
        "The database {path} is held by another program; nothing was saved. Close other "
        "FieldLog windows and try again."),
    "db.newer": (
        "数据库 {path} 由更新版本的 FieldLog 创建（数据库版本 {found}，本程序只认识到 {known}）。"
        "为免损坏数据，本程序不会打开它。请升级 FieldLog（pip install -U fieldlog）后再用。",
        "The database {path} was written by a newer FieldLog (schema {found}; this program "
        "knows up to {known}). To keep it safe it is not opened. Upgrade FieldLog "
        "(pip install -U fieldlog) and try again."),
    "db.not_found": ("找不到数据库 {path}。", "No database at {path}."),
    "doctor.read_only": ("数据库是只读的：只做了只读检查（统计数复核需要写权限）。",
                         "The database is read-only: only read-only checks were made "
                         "(recounting tallies needs write access)."),
    "ui.startup_failed_title": ("FieldLog 无法打开数据库", "FieldLog cannot open the database"),
    "ui.startup_failed_hint": ("按 q 退出。", "Press q to quit."),
    # ---- packs
    "pack.bad_id": ("行动编号“{id}”不可用：只能用小写字母、数字、- 和 _（至多 40 个），如 zhongqiu_2026。"
                    "请修改 [campaign] 的 id。",
                    "The campaign id '{id}' cannot be used: only lowercase letters, digits, - and _ "
                    "(at most 40), e.g. zhongqiu_2026. Change id under [campaign]."),
    # ---- report templates (pack data, run within limits)
    "report.no_include": ("模板不能用 include/import/extends 引用其他文件：一个行动包就是一个文件，"
                          "请把要引用的内容直接写进 [report] template。",
                          "a template cannot include, import or extend other files: a pack is one "
                          "file, so write that text into [report] template itself."),
    "report.limit_output": ("模板生成的文字超过 100 万字，已停止。请检查模板中的循环。",
                            "the template produced more than 1 000 000 characters and was stopped; "
                            "check its loops."),
    "report.limit_value": ("模板中的某个值过大（超过 10 万字或项，如 'A' * 300000000），已停止。请修改模板。",
                           "a value in the template is too large (over 100 000 characters or items, "
                           "e.g. 'A' * 300000000) and was stopped; change the template."),
    "report.limit_time": ("模板运行时间过长（循环太多，如嵌套 range()），已停止。请减少循环。",
                          "the template ran too long (too many loops, e.g. nested range()) and was "
                          "stopped; use fewer loops."),
    "report.too_deep": ("模板嵌套过深（括号或 if/for 层数太多），无法运行。请简化模板。",
                        "the template nests too deeply (brackets or if/for blocks) to run; "
                        "simplify it."),
    "report.template_failed": ("模板运行出错：{detail}。请修改模板。",
                               "the template failed: {detail}. Change the template."),
    # ---- input anyone can type or send
    "input.too_long": ("文字太长（{length} 字），每项最多 {limit} 字。请精简，或把长文放进附件。",
                       "text too long ({length} characters); at most {limit} per field. Shorten it "
                       "or attach the long text as a file."),
    "input.control_char": ("含有不可见的控制字符 {char}（第 {position} 个字符），请删除后重试。",
                           "contains the invisible control character {char} (character {position}); "
                           "remove it and retry."),
    "input.bad_unicode": ("含有无效的字符编码（第 {position} 个字符，孤立代理项），请重新输入这段文字。",
                          "contains an invalid character (a lone surrogate at character {position}); "
                          "retype this text."),
    "input.too_deep": ("嵌套层数过多（最多 {limit} 层），请检查这一行的括号。",
                       "nested too deeply (at most {limit} levels); check the brackets on this line."),
    "import.line_too_long": ("这一行太长（{length} 字），每行最多 {limit} 字。请检查这一行。",
                             "this line is too long ({length} characters); at most {limit} per line."),
    "import.bad_bytes": ("这一行不是 UTF-8 文字（第 {position} 个字节无法识别），请把文件另存为 UTF-8。",
                         "this line is not UTF-8 text (byte {position} cannot be read); save the "
                         "file as UTF-8."),
    "import.id_not_uuid": ("id “{id}”不是 UUID（如 0192a000-0000-7000-8000-000000000001）。"
                           "不填 id 则自动生成。",
                           "id '{id}' is not a UUID (e.g. 0192a000-0000-7000-8000-000000000001); "
                           "leave id out to have one made."),
    "import.duplicate_uscc": ("统一社会信用代码 {uscc} 在第 {line} 行和本行各出现一次：同一主体只能有一行。"
                              "请合并这两行。",
                              "the USCC {uscc} appears on line {line} and on this line: one entity, "
                              "one row. Merge the two rows."),
    # ---- backups
    "cli.backup.keep": ("保留最近几份备份（默认 7），并记住这一设置",
                        "how many backups to keep (default 7); remembered"),
    "cli.backup.list.help": ("列出本机的备份（最新的在前）。", "List this laptop's backups, newest first."),
    "cli.backup.list.title": ("备份在 {folder}，保留最近 {keep} 份；恢复：fieldlog backup restore 时间",
                              "Backups in {folder}, the last {keep} kept; restore: fieldlog backup restore TIME"),
    "cli.backup.none": ("还没有备份（{folder}）。运行 `fieldlog backup` 立即备份。",
                        "No backups yet ({folder}). Run `fieldlog backup` to make one now."),
    "cli.backup.restore.help": ("用备份恢复本地数据库（默认最新的一份；当前数据库先另存一份）。",
                                "Restore the local database from a backup (the newest unless named); "
                                "the current database is kept aside first."),
    "cli.backup.restored": ("已从 {source} 恢复。恢复前的数据库已另存为 {aside}。"
                            "备份之后录入且未同步的记录在另存的文件里；运行 `fieldlog sync` 取回已同步的记录。",
                            "Restored from {source}. The database as it was is kept in {aside}; "
                            "records saved after the backup and not synced are in that file. "
                            "Run `fieldlog sync` to fetch what was synced."),
    "col.backup_stamp": ("备份（时间）", "backup (time)"),
    "col.backup_reason": ("原因", "why"),
    "col.backup_size": ("大小", "size"),
    "backup.reason.daily": ("每日首次启动", "first start of the day"),
    "backup.reason.sync": ("同步之后", "after a sync"),
    "backup.reason.manual": ("手动", "by hand"),
    "backup.reason.before-restore": ("恢复前另存", "kept before a restore"),
    "backup.bad_keep": ("保留份数应为正整数（{count}）。", "the number of backups to keep must be positive ({count})."),
    "backup.failed": ("无法备份到 {path}：{detail}。请检查磁盘空间。",
                      "Cannot write the backup {path}: {detail}. Check the free disk space."),
    "backup.none": ("{folder} 里没有备份可以恢复。", "There is no backup in {folder} to restore."),
    "backup.not_found": ("找不到备份“{ref}”。用 `fieldlog backup list` 查看（{folder}）。",
                         "No backup '{ref}'. See `fieldlog backup list` ({folder})."),
    "backup.bad": ("备份 {path} 无法使用：{detail}。请换一份备份。",
                   "The backup {path} cannot be used: {detail}. Choose another one."),
    "backup.restore_failed": ("从 {path} 恢复失败：{detail}。恢复前的数据库在 {aside}，可用它再次恢复。",
                              "Restoring from {path} failed: {detail}. The database as it was is in "
                              "{aside}; restore that one to go back."),
    "doctor.no_backup": ("还没有备份（{folder}）：每天首次启动和每次同步后会自动备份。",
                         "No backup yet ({folder}): one is made at the first start of each day and "
                         "after each sync."),
    "doctor.backup_ok": ("最新备份 {name} 可以正常打开（共 {count} 份）。",
                         "The newest backup {name} opens and checks whole ({count} kept)."),
    "doctor.backup_bad": ("最新备份 {name} 打不开：{detail}", "The newest backup {name} does not open: {detail}"),
    "doctor.backup_failed": ("上次自动备份失败：{detail}", "The last automatic backup failed: {detail}"),
    "value.too_big": ("“{value}”太大（最多 {max}），请核对。", "'{value}' is too large (at most {max}); please check."),
    "sync.central_full": ("中心库 {url} 所在磁盘已满：这次没有写入中心库，本机的数据一条未丢，"
                          "未确认的会再发。请通知局里的信息员腾出空间，稍后重新同步。",
                          "The disk of the central store {url} is full: nothing was written there "
                          "this time; nothing on this laptop is lost and unacknowledged changes are "
                          "sent again. Ask the bureau's IT person to free space, then sync again "
                          "later."),
    "sync.central_overloaded": ("中心库 {url} 资源不足（{detail}）：这次没有写入中心库，本机的数据一条未丢，"
                                "未确认的会再发。请通知局里的信息员，稍后重新同步。",
                                "The central store {url} is short of resources ({detail}): nothing "
                                "was written there this time; nothing on this laptop is lost and "
                                "unacknowledged changes are sent again. Tell the bureau's IT person, "
                                "then sync again later."),
}

