"""Attaching and syncing photos (issue 13): time and bytes against `cp` and a raw upload.

N photos of S MB each (a JPEG header, then random bytes: photos do not compress) are
attached to inspections (`services.attachments.attach`: type check, EXIF, sha256, copy
into the blob folder, one revision per record) and synced to a central SQLite file
(`services.sync.run_sync`: records, then ask, send the missing blobs, verify on arrival).
In the same run, the anchor: `cp` of the same files into a folder, plus the raw upload
of the same bytes into the central store's kind of storage (`shutil.copyfile` into a
folder beside a SQLite file; `INSERT` of 1 MiB chunks for PostgreSQL). Target: ours ≤
1.5× the anchor. Also timed: the same two copies with every file flushed to disk, as
attached evidence is (neither `cp` nor the raw copy pays for that in the timed window).
Also timed, as a floor: the two copies with each file hashed (sha256) as it is copied,
not flushed — the least a verified content-addressed copy costs. A second sync must
send 0 blob bytes. Each timed phase starts on a settled disk
(`settled`), so none pays for the page cache another left to write back.

    python bench/bench_attach.py [--photos 200] [--mb 3] [--per-record 10] [--pg URL] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import figures

from tui_app.services import attachments, sync
from tui_app.services.context import open_context
from tui_app.services.record import add
from tui_app.sync.central import initialise

JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
OFFICERS = [{"name": "张三", "badge": "3201001"}, {"name": "李四", "badge": "3201002"}]


def make_photos(folder: Path, n: int, megabytes: float) -> list[Path]:
    folder.mkdir(parents=True)
    size = int(megabytes * 1024 * 1024)
    paths = []
    for i in range(n):
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(JPEG_HEAD + os.urandom(size - len(JPEG_HEAD) - 2) + b"\xff\xd9")
        paths.append(path)
    return paths


def settled() -> float:
    """`time.perf_counter()` once the disk has taken every byte written so far (`sync`,
    outside the timed windows): `cp` and the raw copy leave their bytes in the page
    cache, and the kernel writes them back ~30 s later — inside whatever phase runs then,
    which would pay for the anchor's writes. Every phase starts from a settled disk."""
    os.sync()
    return time.perf_counter()


def anchor_sqlite(photos: list[Path], work: Path) -> tuple[float, float]:
    """`cp` of the photos, and the raw upload: each file copied into a folder on the share."""
    started = settled()
    subprocess.run(["cp", "-r", str(photos[0].parent), str(work / "cp")], check=True)
    cp_s = time.perf_counter() - started
    raw = work / "raw-share"
    raw.mkdir()
    started = settled()
    for path in photos:
        shutil.copyfile(path, raw / path.name)
    return cp_s, time.perf_counter() - started


def anchor_durable(photos: list[Path], work: Path) -> float:
    """The same two copies, each file flushed to disk (fsync) as evidence must be: what
    `cp` leaves in the page cache, attaching and syncing write to the disk."""
    started = settled()
    for target in ("durable-cp", "durable-share"):
        (work / target).mkdir()
        for path in photos:
            with path.open("rb") as source, (work / target / path.name).open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
    return time.perf_counter() - started


def floor_hashed(photos: list[Path], work: Path) -> float:
    """What any verified, content-addressed copy costs at least: the same two copies,
    each read once through sha256 (the laptop names the blob, the store checks it), not
    flushed. Not the target's anchor; it tells how much of ours is hashing."""
    import hashlib

    started = settled()
    for target in ("hashed-cp", "hashed-share"):
        (work / target).mkdir()
        for path in photos:
            digest = hashlib.sha256()
            with path.open("rb") as source, (work / target / path.name).open("wb") as out:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    return time.perf_counter() - started


def anchor_pg(photos: list[Path], url: str) -> float:
    """The raw upload into PostgreSQL: every file's bytes INSERTed in 1 MiB chunks."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_chunk (name TEXT, n INT, data BYTEA, PRIMARY KEY (name, n))")
        conn.execute("ALTER TABLE raw_chunk ALTER COLUMN data SET STORAGE EXTERNAL")
        started = settled()
        for path in photos:
            with path.open("rb") as data, conn.transaction():
                n = 0
                while chunk := data.read(1 << 20):
                    conn.execute("INSERT INTO raw_chunk VALUES (%s, %s, %s)", (path.name, n, chunk))
                    n += 1
        return time.perf_counter() - started


def ours(photos: list[Path], per_record: int, db: Path, url: str) -> dict[str, float]:
    """Attach the photos (per_record a record) and sync twice; seconds and blob bytes."""
    ctx = open_context(db)
    try:
        ctx.update_settings({"badge": "3201001", "inspector_id": "3201001", "inspector_name": "张三"})
        ids = [add(ctx, "inspection", {"action": "food", "place": f"农贸市场{i}号摊位",
                                       "started_at": "2026-09-21T10:30", "officers": OFFICERS,
                                       "fields": {"place_type": "农村集贸市场"}}).id
               for i in range(0, len(photos), per_record)]
        started = settled()
        for n, rid in enumerate(ids):
            attachments.attach(ctx, rid, photos[n * per_record:(n + 1) * per_record])
        attach_s = time.perf_counter() - started
        started = settled()
        first = sync.run_sync(ctx, url)
        sync_s = time.perf_counter() - started
        started = settled()
        second = sync.run_sync(ctx, url)
        again_s = time.perf_counter() - started
    finally:
        ctx.close()
    return {"attach_s": attach_s, "sync_s": sync_s, "first_blob_bytes": first.blobs.bytes,
            "first_blobs_sent": first.blobs.sent, "second_sync_s": again_s,
            "second_blob_bytes": second.blobs.bytes}


def pg_schema(base: str) -> tuple[str, object]:
    import uuid

    import psycopg

    schema = f"bench_attach_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(base, autocommit=True)
    admin.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}", (admin, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--mb", type=float, default=3.0)
    parser.add_argument("--per-record", type=int, default=10)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    figures.add_option(parser)
    args = parser.parse_args()
    out: dict[str, float] = {"photos": args.photos, "mb_each": args.mb}
    with tempfile.TemporaryDirectory(prefix="fieldlog-bench-attach-") as name:
        work = Path(name)
        photos = make_photos(work / "photos", args.photos, args.mb)
        total = sum(p.stat().st_size for p in photos)
        cp_s, raw_s = anchor_sqlite(photos, work)
        durable_s = anchor_durable(photos, work)
        hashed_s = floor_hashed(photos, work)
        url = f"sqlite:///{work / 'central.db'}"
        initialise(url)
        mine = ours(photos, args.per_record, work / "laptop" / "fieldlog.db", url)
        anchor = cp_s + raw_s
        ratio = (mine["attach_s"] + mine["sync_s"]) / anchor
        ratio_durable = (mine["attach_s"] + mine["sync_s"]) / durable_s
        out.update({"total_mb": total / 1024 / 1024, "cp_s": cp_s, "sqlite_raw_upload_s": raw_s,
                    "durable_copies_s": durable_s, "hashed_copies_s": hashed_s,
                    **{f"sqlite_{k}": v for k, v in mine.items()},
                    "sqlite_ratio": ratio, "sqlite_ratio_durable": ratio_durable})
        print(f"{args.photos} photos × {args.mb} MB = {total / 1024 / 1024:.0f} MB")
        print(f"anchor: cp {cp_s:.2f} s + raw upload to a folder {raw_s:.2f} s = {anchor:.2f} s; "
              f"the same two copies flushed to disk {durable_s:.2f} s; "
              f"hashed while copied, not flushed {hashed_s:.2f} s")
        print(f"ours (central SQLite): attach {mine['attach_s']:.2f} s + sync {mine['sync_s']:.2f} s "
              f"= {ratio:.2f}× the anchor ({ratio_durable:.2f}× the flushed copies); "
              f"sent {mine['first_blob_bytes'] / 1024 / 1024:.0f} MB in "
              f"{mine['first_blobs_sent']:.0f} blobs; second sync {mine['second_sync_s']:.2f} s, "
              f"{mine['second_blob_bytes']:.0f} blob bytes")
        if not args.no_pg:
            pg_url, (admin, schema) = pg_schema(args.pg)
            try:
                raw_pg = anchor_pg(photos, pg_url)
                initialise(pg_url)
                mine_pg = ours(photos, args.per_record, work / "laptop-pg" / "fieldlog.db", pg_url)
            finally:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")
                admin.close()
            ratio_pg = (mine_pg["attach_s"] + mine_pg["sync_s"]) / (cp_s + raw_pg)
            out.update({"pg_raw_upload_s": raw_pg, **{f"pg_{k}": v for k, v in mine_pg.items()},
                        "pg_ratio": ratio_pg})
            print(f"anchor: cp {cp_s:.2f} s + raw INSERT of 1 MiB chunks {raw_pg:.2f} s")
            print(f"ours (PostgreSQL): attach {mine_pg['attach_s']:.2f} s + sync "
                  f"{mine_pg['sync_s']:.2f} s = {ratio_pg:.2f}× the anchor; second sync "
                  f"{mine_pg['second_blob_bytes']:.0f} blob bytes")
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
