"""Company records behind the sample web: where they are loaded from and how a record maps to a domain."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Record = dict[str, Any]

BUNDLED_DATASET = Path(__file__).parent / "data" / "companies.jsonl"
DATASET_ENV = "LEADGEN_SAMPLE_DATASET"


def dataset_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The dataset to serve: an explicit path, else $LEADGEN_SAMPLE_DATASET, else the bundled subset."""
    if path is not None:
        return Path(path)
    env = os.environ.get(DATASET_ENV)
    return Path(env) if env else BUNDLED_DATASET


def domain_of(record: Record) -> str:
    """The record's website host, lower-cased, without a leading ``www.``."""
    host = (urlsplit(record["website"].strip()).hostname or "").lower()
    return host.removeprefix("www.")


@lru_cache(maxsize=8)
def _load(resolved: str) -> tuple[Record, ...]:
    records: list[Record] = []
    seen: set[str] = set()
    with open(resolved, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            domain = domain_of(record)
            # Two records claiming one host would make a site ambiguous; the first one wins.
            if not domain or domain in seen:
                continue
            seen.add(domain)
            records.append(record)
    return tuple(records)


def load_records(path: str | os.PathLike[str] | None = None) -> list[Record]:
    """All usable records of a dataset, in file order, one per domain."""
    return list(_load(str(dataset_path(path).resolve())))


@lru_cache(maxsize=8)
def _index(resolved: str) -> dict[str, Record]:
    return {domain_of(r): r for r in _load(resolved)}


def records_by_domain(path: str | os.PathLike[str] | None = None) -> dict[str, Record]:
    """Domain → record for a dataset (cached per file)."""
    return _index(str(dataset_path(path).resolve()))
