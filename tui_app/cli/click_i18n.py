"""click's own words (usage errors, `--help`, `--version`) in the user's language.

click writes its messages through the standard `gettext` functions (the default
domain, no catalog of its own), so they would stay English beside FieldLog's Chinese.
`install()` hands gettext the Chinese for each of click's message ids; English stays
click's own text. Only the default domain is answered here: any other library that
brings its own gettext domain is untouched. The usage line's placeholders (`[OPTIONS]`,
`COMMAND [ARGS]...`) are no gettext lookups but fixed words click puts in when a command
is built; the help formatter, click's own extension point, puts them in Chinese as it
writes the line, so the language chosen for this call decides. click lines its help
columns up by counting characters, and a Chinese character takes two terminal cells:
`install()` has click count cells instead, so `-o, --output 路径` keeps its help text in
the column of the others. A command list shows each command's first sentence, which
click finds by `. ` and cuts at spaces; a Chinese sentence has neither, so click showed
a bare `...`: `install()` cuts Chinese help at its own sentence marks, by cells.
"""

from __future__ import annotations

import gettext

import click
import click.core
import click.formatting

from tui_app.i18n import get_lang

# click 8's message ids → Chinese (placeholders kept as click fills them).
CLICK_ZH: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "No such option: {name}": "没有这个选项：{name}",
    "No such option {name!r}.": "没有这个选项 {name!r}。",
    "No such command {name!r}.": "没有这个命令 {name!r}。",
    "Did you mean {possibility}?": "是不是想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是想用其中之一：{possibilities}？）",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Got unexpected extra argument ({args})": "多了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多了参数（{args}）",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 中。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "Aborted!": "已取消。",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "再输入一次以确认",
    "Do you want to continue?": "要继续吗？",
}

# The words of click's usage lines (`Command.options_metavar`, `Group.subcommand_metavar`).
USAGE_ZH: dict[str, str] = {
    "[OPTIONS]": "[选项]",
    "COMMAND": "命令",
    "[COMMAND]": "[命令]",
    "[ARGS]...": "[参数]...",
}


class UsageFormatter(click.HelpFormatter):
    """click's help formatter, its usage placeholders in the user's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if get_lang() == "zh":
            args = " ".join(USAGE_ZH.get(word, word) for word in args.split(" "))
        super().write_usage(prog, args, prefix)


_original_dgettext = gettext.dgettext
_original_dngettext = gettext.dngettext


def _dgettext(domain: str, message: str) -> str:
    if domain == "messages" and get_lang() == "zh" and message in CLICK_ZH:
        return CLICK_ZH[message]
    return _original_dgettext(domain, message)


def _dngettext(domain: str, singular: str, plural: str, n: int) -> str:
    if domain == "messages" and get_lang() == "zh":
        chosen = singular if n == 1 else plural
        if chosen in CLICK_ZH:
            return CLICK_ZH[chosen]
    return _original_dngettext(domain, singular, plural, n)


def _cells(text: str) -> int:
    """How many terminal cells `text` takes once click's colour codes are dropped (rich
    is imported here, when help is written, not on every command's start)."""
    from rich.cells import cell_len

    return cell_len(click.unstyle(text))


_original_short_help = click.core._make_default_short_help
SENTENCE_ENDS = "。；！？"  # where a Chinese command's short help ends
CLAUSE_ENDS = "，、："  # where it may be cut, with "…", when its sentence is too long


def _short_help(text: str, max_length: int = 45) -> str:
    """A command's one-line help in a command list: click's own for text without wide
    characters; else the first Chinese sentence (up to its 。), cut after a clause
    (at ，、：) with "…" when it takes more than `max_length` cells."""
    full = text
    text = " ".join(text.partition("\n\n")[0].split())
    if _cells(text) == len(text):
        return _original_short_help(full, max_length)
    ends = [text.index(mark) for mark in SENTENCE_ENDS if mark in text]
    if ends:
        text = text[:min(ends) + 1]
    if _cells(text) <= max_length:
        return text
    cut = ""
    for i, char in enumerate(text):
        if _cells(text[:i + 1]) > max_length - 1:
            break
        if char in CLAUSE_ENDS:
            cut = text[:i]
    return (cut or _cut_cells(text, max_length - 1)) + "…"


def _cut_cells(text: str, cells: int) -> str:
    """The longest start of `text` that takes at most `cells` terminal cells."""
    while _cells(text) > cells:
        text = text[:-1]
    return text


def install() -> None:
    """Answer click's gettext lookups from CLICK_ZH, write its usage lines with
    UsageFormatter, measure its help columns in cells and cut Chinese short help at its
    sentence marks (idempotent)."""
    gettext.dgettext = _dgettext
    gettext.dngettext = _dngettext
    click.Context.formatter_class = UsageFormatter
    click.formatting.term_len = _cells
    click.core._make_default_short_help = _short_help
