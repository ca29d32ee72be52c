"""Company lists from files: one URL or domain a line, or a CSV with a ``website`` column,
or the JSONL company directory format (``website`` field)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from core.errors import InvalidInput


def _clean(value: str) -> str | None:
    value = value.strip()
    if not value or value.startswith("#"):
        return None
    return value


def parse_company_list(text: str, *, name: str = "input") -> list[str]:
    """Return company URLs/domains in file order (duplicates kept: one result per line)."""
    stripped = text.lstrip("\ufeff")
    first = next((ln for ln in stripped.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    if first.lstrip().startswith("{"):
        out = []
        for n, line in enumerate(stripped.splitlines(), 1):
            if not _clean(line):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{name} line {n}: not valid JSON ({exc.msg})") from exc
            website = _clean(str(record.get("website") or record.get("url") or ""))
            if website is None:
                raise InvalidInput(f"{name} line {n}: record has no 'website' field")
            out.append(website)
        return out
    if "," in first and "website" in [c.strip().lower() for c in first.split(",")]:
        reader = csv.DictReader(io.StringIO(stripped))
        column = next(c for c in reader.fieldnames or [] if c.strip().lower() == "website")
        return [w for row in reader if (w := _clean(row.get(column) or ""))]
    return [v for line in stripped.splitlines() if (v := _clean(line.split(" #")[0]))]


def read_company_file(path: str | Path) -> list[str]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read companies file {path}: {exc.strerror or exc}") from exc
    companies = parse_company_list(text, name=str(path))
    if not companies:
        raise InvalidInput(f"{path} lists no companies")
    return companies
