"""Reading a user's text file, with the two failures people actually meet named plainly."""

from __future__ import annotations

from pathlib import Path

from tui_app.errors import FieldLogError


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The file's text, or a FieldLogError saying it is missing or not UTF-8."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise FieldLogError("file.not_found", path=str(path)) from None
    except UnicodeDecodeError:
        raise FieldLogError("file.not_utf8", path=str(path)) from None


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a FieldLogError saying it is missing (decoding is the caller's,
    line by line, so a bad byte is reported on its line)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FieldLogError("file.not_found", path=str(path)) from None
    except IsADirectoryError:
        raise FieldLogError("file.not_found", path=str(path)) from None
