"""The filled report as paragraphs with roles, and its Markdown and plain-text forms.

One model feeds every format, so Markdown, text and .docx always hold the same
words. The body's light Markdown has only what a 公文 needs: "## " for a numbered
heading (一、), "**…**" for the lead sentence of an item (一是…), blank lines between
paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TRAILING_PUNCT = re.compile(r"^(.*?)(\W*)$", re.S)


@dataclass(frozen=True)
class Filled:
    """A filled template's three parts: title, body (light Markdown), signature lines."""

    title: str
    body: str
    signature: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style (only bold varies inside a paragraph)."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    role: str
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def _runs(text: str) -> tuple[Run, ...]:
    runs: list[Run] = []
    pos = 0
    for match in _BOLD.finditer(text):
        if match.start() > pos:
            runs.append(Run(text[pos:match.start()]))
        runs.append(Run(match.group(1), bold=True))
        pos = match.end()
    if pos < len(text):
        runs.append(Run(text[pos:]))
    return tuple(runs)


def paragraphs(filled: Filled) -> list[Paragraph]:
    """Title, then the body's headings and paragraphs in order, then the signature."""
    out = [Paragraph("title", (Run(filled.title),))] if filled.title else []
    for block in re.split(r"\n\s*\n", filled.body):
        # Chinese has no spaces between words: a paragraph wrapped over lines is rejoined as is.
        text = "".join(line.strip() for line in block.strip().splitlines())
        if not text:
            continue
        if text.startswith("## "):
            out.append(Paragraph("heading", (Run(text[3:].strip()),)))
        else:
            out.append(Paragraph("body", _runs(text)))
    out += [Paragraph("signature", (Run(line),)) for line in filled.signature if line]
    return out


def to_markdown(paras: list[Paragraph]) -> str:
    """Markdown: '# ' title, '## ' headings, bold item leads, blank lines between."""
    blocks = []
    for para in paras:
        if para.role == "title":
            blocks.append(f"# {para.text}")
        elif para.role == "heading":
            blocks.append(f"## {para.text}")
        else:
            blocks.append("".join(_bold(r.text) if r.bold else r.text for r in para.runs))
    return "\n\n".join(blocks) + "\n"


def _bold(text: str) -> str:
    """`**一是…**。`: trailing punctuation goes after the closing stars.

    CommonMark only closes `**` that follows punctuation when whitespace or punctuation
    comes next; Chinese has no space there, so `**…。**将` would show its stars in
    every Markdown viewer (the TUI's report screen included).
    """
    core, tail = _TRAILING_PUNCT.match(text).groups()
    return f"**{core}**{tail}" if core else text


def to_text(paras: list[Paragraph]) -> str:
    """Plain text as the seed report is written: one paragraph per line.

    A blank line sets the title and the signature apart from the body.
    """
    lines: list[str] = []
    previous = ""
    for para in paras:
        if previous == "title" or (para.role == "signature" and previous not in ("", "signature")):
            lines.append("")
        lines.append(para.text)
        previous = para.role
    return "\n".join(lines) + "\n"
