"""The bureau's registry merged into a central store (issue 8: ≤ 10 s for 200k entities).

`fieldlog entity import FILE --central URL` checks every row, then hands the rows to
`CentralStore.publish_entities`, which reads the central heads of their derived ids and
writes new entities and revisions into the change log in one transaction. Measured on
central SQLite and PostgreSQL, on validated rows as the command hands them over:

- first: the registry into an empty central store (every row new);
- merge: the next year's registry into that store: 2% of the rows changed, 2% new,
  the rest unchanged (what a bureau publishes again and again);
- then the figures' catch-up (`materialize`) of what the merge wrote.

    python bench/bench_registry.py [--entities 200000] [--pg URL] [--no-pg] [--json FILE]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import figures

from tui_app.domain.uscc import check_char
from tui_app.sync.central import initialise, open_central

TOWNSHIPS = ("城关镇", "河西乡", "东城街道", "西城街道", "高新区")
CATEGORIES = ("食品销售", "餐饮服务", "药店", "特种设备使用单位", "医疗机构")
WHO, DEVICE = "bureau", "bench-bureau"


def registry(n: int, year: int = 0) -> list[dict[str, Any]]:
    """N validated entity rows (as `check_entity` makes them); `year` 1 changes 2% of the
    addresses and adds 2% new entities."""
    rows = []
    for i in range(n + (n // 50 if year else 0)):
        first = f"913201{i:011d}"
        moved = year and i % 50 == 0
        rows.append({"uscc": first + check_char(first), "name": f"城关镇好又多超市第{i}分店",
                     "kind": "企业", "category": CATEGORIES[i % 5],
                     "address": f"人民路{i % 999 + (1000 if moved else 0)}号",
                     "township": TOWNSHIPS[i % 5], "contact": "", "initials": "cgzhdcsdfd",
                     "warnings": []})
    return rows


def measure(url: str, n: int) -> dict[str, float]:
    initialise(url)
    out: dict[str, float] = {}
    for name, rows in (("first", registry(n)), ("merge", registry(n, year=1))):
        store = open_central(url)
        try:
            started = time.perf_counter()
            published = store.publish_entities(rows, WHO, DEVICE)
            out[f"{name}_s"] = time.perf_counter() - started
            started = time.perf_counter()
            store.materialize()
            out[f"{name}_catch_up_s"] = time.perf_counter() - started
        finally:
            store.close()
        print(f"  {name}: {len(rows):,} rows → added {published.added:,}, revised "
              f"{published.revised:,}, unchanged {published.unchanged:,} in {out[f'{name}_s']:.2f} s"
              f" (catch-up {out[f'{name}_catch_up_s']:.2f} s)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    figures.add_option(parser)
    args = parser.parse_args()
    out: dict[str, float] = {"entities": args.entities}
    with tempfile.TemporaryDirectory() as folder:
        print(f"central SQLite, {args.entities:,} entities")
        found = measure(f"sqlite:///{Path(folder) / 'central.db'}", args.entities)
        out.update({f"sqlite_{k}": v for k, v in found.items()})
    if not args.no_pg:
        with figures.scratch_schema(args.pg) as url:
            print(f"PostgreSQL, {args.entities:,} entities")
            found = measure(url, args.entities)
            out.update({f"pg_{k}": v for k, v in found.items()})
    for engine in ("sqlite", "pg"):
        if f"{engine}_merge_s" in out:
            verdict = "OK" if out[f"{engine}_merge_s"] <= 10 else "MISSED"
            print(f"{engine}: merge of {args.entities:,} entities {out[f'{engine}_merge_s']:.2f} s "
                  f"(target <= 10 s) {verdict}")
    figures.write(args.json, out)


if __name__ == "__main__":
    main()
