"""Chooses the bundled ~120-company subset of the shared YC dataset, for variety, deterministically.

Run: ``python -m sampleweb.build_dataset [--source PATH] [--out PATH] [--n 120]``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sampleweb.dataset import BUNDLED_DATASET, Record, domain_of

SHARED_DATASET = Path("/work/shared/datasets/companies/companies.jsonl")


def _country_bucket(record: Record) -> str:
    parts = [p.strip() for p in (record.get("locations") or "").split(";") if p.strip()]
    if not parts:
        return "none"
    last = parts[0].split(",")[-1].strip()
    if last == "Remote":
        return "remote"
    if last == "USA":
        return "us:" + parts[0].split(",")[0].strip()
    return last


def _size_bucket(record: Record) -> str:
    size = record.get("team_size")
    if size is None:
        return "null"
    for upper, name in (
        (0, "0"),
        (2, "1-2"),
        (5, "3-5"),
        (10, "6-10"),
        (25, "11-25"),
        (50, "26-50"),
    ):
        if size <= upper:
            return name
    return "51+"


def _traits(record: Record) -> list[str]:
    return [
        "industry:" + record["industry"],
        "sub:" + record["subindustry"],
        "country:" + _country_bucket(record),
        "size:" + _size_bucket(record),
        "hiring:" + str(record["is_hiring"]),
        "multi:" + str(";" in (record.get("locations") or "")),
    ]


def _eligible(record: Record) -> bool:
    # Descriptions that carry an e-mail address would blur the contact ground truth.
    text = record.get("long_description") or ""
    return bool(domain_of(record)) and "@" not in text and len(text) >= 40


def choose(records: list[Record], n: int = 120) -> list[Record]:
    """Greedy pick: each step takes the record whose traits are rarest among those already chosen."""
    pool = sorted((r for r in records if _eligible(r)), key=lambda r: r["id"])
    chosen: list[Record] = []
    counts: Counter[str] = Counter()
    taken: set[int] = set()
    while len(chosen) < min(n, len(pool)):
        best = max(
            (r for r in pool if r["id"] not in taken),
            key=lambda r: (sum(1.0 / (1 + counts[t]) for t in _traits(r)), -r["id"]),
        )
        taken.add(best["id"])
        chosen.append(best)
        counts.update(_traits(best))
    return sorted(chosen, key=lambda r: r["id"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=SHARED_DATASET)
    parser.add_argument("--out", type=Path, default=BUNDLED_DATASET)
    parser.add_argument("--n", type=int, default=120)
    args = parser.parse_args(argv)
    with args.source.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    subset = choose(records, args.n)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for record in subset:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    summary = Counter(t for r in subset for t in _traits(r) if not t.startswith("sub:"))
    print(f"wrote {len(subset)} records to {args.out}")
    for trait, count in sorted(summary.items()):
        print(f"  {trait}: {count}")


if __name__ == "__main__":
    main()
