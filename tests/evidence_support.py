"""Evidence files for the attachment tests: real photos with EXIF, PDFs, office documents."""

from __future__ import annotations

import io
import os
from pathlib import Path


def photo(path: Path, *, taken: str | None = "2026:09:21 10:31:07",
          gps: tuple[float, float] | None = (24.4795, 118.0894), noise: int = 0) -> Path:
    """A JPEG with EXIF DateTimeOriginal and GPS (Pillow writes them as a camera does).
    `noise` random bytes are appended inside a comment, to make big or distinct photos."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # Exif IFD: DateTimeOriginal
    if gps:
        def dms(value: float) -> tuple[float, float, float]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            return (degrees, minutes, round(((value - degrees) * 60 - minutes) * 60, 4))

        exif.get_ifd(0x8825).update({1: "N" if gps[0] >= 0 else "S", 2: dms(abs(gps[0])),
                                     3: "E" if gps[1] >= 0 else "W", 4: dms(abs(gps[1]))})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    if noise:
        data = data[:-2] + os.urandom(noise) + data[-2:]
    path.write_bytes(data)
    return path


def pdf(path: Path, text: str = "现场照片说明") -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n%%EOF\n")
    return path


def docx(path: Path, text: str = "询问笔录") -> Path:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def edited_pack(folder: Path, marker: str, pack_id: str = "siming") -> Path:
    """The shipped pack copied as a bureau would (its own id, its template folder beside
    it) with `marker` added to its 现场检查笔录 in Word's stead; returns the pack file."""
    import shutil

    import docx as python_docx

    from tui_app.services.context import PACKS_DIR

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PACKS_DIR / "zhongqiu", folder / "zhongqiu", dirs_exist_ok=True)
    template = folder / "zhongqiu" / "现场检查笔录.docx"
    document = python_docx.Document(str(template))
    document.add_paragraph(marker + "{{ entity.name }}")
    document.save(str(template))
    text = (PACKS_DIR / "zhongqiu.toml").read_text(encoding="utf-8")
    source = folder / "pack.toml"
    source.write_text(text.replace('id = "zhongqiu"', f'id = "{pack_id}"', 1), encoding="utf-8")
    return source


def docx_text(path: Path) -> str:
    """Every paragraph of a .docx, opened back with python-docx."""
    import docx as python_docx

    return "\n".join(p.text for p in python_docx.Document(str(path)).paragraphs)
