"""`fieldlog attach` and `fieldlog attachment`: evidence by content hash, on the record."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.evidence_support import docx, pdf, photo


@pytest.fixture
def record_id(fieldlog) -> str:
    fieldlog("record", "add", "--action", "food", "--place", "城关农贸市场", "--at", "2026-09-21T10:30",
             "--field", "place_type=农村集贸市场", "--findings", "冷链台账不全")
    [row] = fieldlog.json("record", "list")
    return row["id"]


def blob_path(db: Path, sha: str) -> Path:
    return db.with_name("fieldlog.blobs") / sha[:2] / sha


def test_attach_lists_each_file_with_hash_type_exif_and_who(fieldlog, record_id: str,
                                                            tmp_path: Path) -> None:
    shot = photo(tmp_path / "门头.jpg")
    files = [shot, pdf(tmp_path / "许可证.pdf"), docx(tmp_path / "说明.docx")]
    out = fieldlog("attach", record_id[-8:], *map(str, files))
    assert "添加 3 个附件（修订 2）" in out.stdout
    listed = fieldlog.json("attachment", "list", record_id)
    assert [a["name"] for a in listed] == ["门头.jpg", "许可证.pdf", "说明.docx"]
    assert [a["media_type"] for a in listed] == [
        "image/jpeg", "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    first = listed[0]
    assert first["sha256"] == hashlib.sha256(shot.read_bytes()).hexdigest()
    assert first["size"] == shot.stat().st_size
    assert first["exif_time"] == "2026-09-21T10:31:07"
    assert first["gps"] == {"lat": pytest.approx(24.4795, abs=1e-4),
                            "lon": pytest.approx(118.0894, abs=1e-4)}
    assert first["added_by"] == "3201001" and first["added_by_name"] == "张三"
    assert "exif_time" not in listed[1]
    for item in listed:  # blobs live beside the database, named by their hash
        assert blob_path(fieldlog.db, item["sha256"]).read_bytes() == \
            (tmp_path / item["name"]).read_bytes()
    assert b"JFIF" not in fieldlog.db.read_bytes()  # never inside the database
    shown = fieldlog("record", "show", record_id).stdout
    assert "门头" in shown and "许可证" in shown and "DOCX" in shown
    history = fieldlog.json("record", "show", record_id)["revisions"]
    assert [len(r.get("attachments", [])) for r in history] == [0, 3]


def test_same_content_again_is_skipped_and_edits_keep_attachments(fieldlog, record_id: str,
                                                                 tmp_path: Path) -> None:
    shot = photo(tmp_path / "a.jpg")
    fieldlog("attach", record_id, str(shot))
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(shot.read_bytes())
    again = fieldlog("attach", record_id, str(copy))
    assert "已在该记录的附件中" in again.stderr and "添加 0 个附件（修订 2）" in again.stdout
    fieldlog("record", "edit", record_id, "--findings", "已整改")  # a form edit carries them over
    shown = fieldlog.json("record", "show", record_id)
    assert shown["current"]["rev"] == 3 and shown["current"]["findings"] == "已整改"
    assert [a["name"] for a in shown["current"]["attachments"]] == ["a.jpg"]


def test_refusals_name_the_file_and_attach_nothing(fieldlog, record_id: str, tmp_path: Path) -> None:
    good = pdf(tmp_path / "ok.pdf")
    text = tmp_path / "notes.txt"
    text.write_text("不是证据", encoding="utf-8")
    fake = tmp_path / "photo.jpg"  # a name is not a type: the content decides
    fake.write_bytes(b"MZ\x90\x00" + os.urandom(100))
    folder = tmp_path / "a-folder"
    folder.mkdir()
    cases = [
        ([str(good), str(tmp_path / "gone.jpg")], "找不到文件"),
        ([str(good), str(text)], "不是照片、PDF 或办公文档"),
        ([str(fake)], "不是照片、PDF 或办公文档"),
        ([str(folder)], "无法读取"),
    ]
    for files, fragment in cases:
        result = fieldlog("attach", record_id, *files, ok=False)
        assert result.exit_code == 1 and fragment in result.stderr, (files, result.stderr)
        assert "Traceback" not in result.output
    fieldlog("init", "--attach-max-mb", "0.01")
    big = photo(tmp_path / "big.jpg", noise=20_000)
    too_big = fieldlog("attach", record_id, str(big), ok=False)
    assert "超过每个附件 0.0 MB 的上限" in too_big.stderr or "上限" in too_big.stderr
    english = fieldlog("--lang", "en", "attach", record_id, str(big), ok=False)
    assert "over the 0.0 MB limit" in english.stderr
    assert fieldlog("init", "--attach-max-mb", "zero", ok=False).exit_code == 2
    assert fieldlog.json("attachment", "list", record_id) == []
    assert fieldlog.json("record", "show", record_id)["current"]["rev"] == 1
    assert not (fieldlog.db.with_name("fieldlog.blobs")).exists() or not any(
        p.is_file() and not p.name.startswith(".") for p in
        fieldlog.db.with_name("fieldlog.blobs").rglob("*"))


@pytest.mark.skipif(sys.platform.startswith("win") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file_is_refused(fieldlog, record_id: str, tmp_path: Path) -> None:
    locked = pdf(tmp_path / "locked.pdf")
    locked.chmod(0)
    result = fieldlog("attach", record_id, str(locked), ok=False)
    locked.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert result.exit_code == 1 and "无法读取" in result.stderr


def test_remove_needs_a_reason_and_keeps_the_blob(fieldlog, record_id: str, tmp_path: Path) -> None:
    fieldlog("attach", record_id, str(photo(tmp_path / "a.jpg")), str(pdf(tmp_path / "b.pdf")))
    sha = fieldlog.json("attachment", "list", record_id)[0]["sha256"]
    blank = fieldlog("attachment", "remove", record_id, "1", "--reason", "  ", ok=False)
    assert blank.exit_code == 1 and "必须写明原因" in blank.stderr
    unknown = fieldlog("attachment", "remove", record_id, "nope.jpg", "--reason", "x", ok=False)
    assert "没有附件“nope.jpg”" in unknown.stderr
    out = fieldlog("attachment", "remove", record_id, "a.jpg", "--reason", "拍错了对象")
    assert "修订 3" in out.stdout
    assert [a["name"] for a in fieldlog.json("attachment", "list", record_id)] == ["b.pdf"]
    everything = fieldlog.json("attachment", "list", record_id, "--all")
    assert everything[0]["removed_reason"] == "拍错了对象" and everything[0]["removed_by"] == "3201001"
    assert blob_path(fieldlog.db, sha).is_file()
    table = fieldlog("attachment", "list", record_id, "--all").stdout
    assert "拍错" in table


def test_export_and_open_hand_out_copies(fieldlog, record_id: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shot = photo(tmp_path / "a.jpg")
    fieldlog("attach", record_id, str(shot), str(pdf(tmp_path / "b.pdf")))
    out = tmp_path / "out"
    fieldlog("attachment", "export", record_id, "-o", str(out))
    fieldlog("attachment", "export", record_id, "a.jpg", "-o", str(out))  # never overwrites
    assert sorted(p.name for p in out.iterdir()) == ["a (2).jpg", "a.jpg", "b.pdf"]
    assert (out / "a.jpg").read_bytes() == shot.read_bytes()
    seen = tmp_path / "seen.txt"
    viewer = tmp_path / "viewer.sh"
    viewer.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{seen}"\n', encoding="utf-8")
    viewer.chmod(0o755)
    monkeypatch.setenv("FIELDLOG_OPENER", str(viewer))
    opened = fieldlog("attachment", "open", record_id, "2").stdout
    for _ in range(100):
        if seen.exists():
            break
        import time

        time.sleep(0.05)
    copy = Path(seen.read_text(encoding="utf-8"))
    assert copy.name == "b.pdf" and str(copy) in opened
    assert copy.read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert fieldlog.db.with_name("fieldlog.blobs") not in copy.parents  # a copy, not the blob
    monkeypatch.setenv("FIELDLOG_OPENER", "no-such-viewer-here")
    missing = fieldlog("attachment", "open", record_id, "1", ok=False)
    assert "找不到查看程序" in missing.stderr and "Traceback" not in missing.output


def test_doctor_finds_corrupt_and_missing_blobs(fieldlog, record_id: str, tmp_path: Path) -> None:
    fieldlog("attach", record_id, str(photo(tmp_path / "a.jpg")), str(pdf(tmp_path / "b.pdf")))
    assert "一切正常" in fieldlog("doctor").stdout
    first, second = (a["sha256"] for a in fieldlog.json("attachment", "list", record_id))
    corrupt = blob_path(fieldlog.db, first)
    data = bytearray(corrupt.read_bytes())
    data[100] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    blob_path(fieldlog.db, second).unlink()
    report = fieldlog("doctor", ok=False)
    assert report.exit_code == 1
    assert f"1 个附件文件已损坏（如 {first}）" in report.stderr
    assert f"1 个附件文件缺失（如 {second}）" in report.stderr
    refused = fieldlog("attachment", "export", record_id, "1", "-o", str(tmp_path / "x"), ok=False)
    assert "已损坏" in refused.stderr and not (tmp_path / "x" / "a.jpg").exists()
