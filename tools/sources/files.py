"""Company lists from files: one URL or domain a line, or a CSV with a ``website`` column,
or the JSONL company directory format (``website`` field); also as a discovery `Source`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

from core.errors import InvalidInput
from tools.extract.domains import registrable_domain
from tools.sources.company_sites import site_root
from tools.sources.types import DiscoveredCompany


def _clean(value: str) -> str | None:
    value = value.strip()
    if not value or value.startswith("#"):
        return None
    return value


def parse_company_records(text: str, *, name: str = "input") -> list[tuple[str, str | None]]:
    """(website, company name or None) in file order; names come from JSONL ``name`` or a CSV
    ``name``/``company`` column."""
    stripped = text.lstrip("\ufeff")
    first = next((ln for ln in stripped.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), "")
    if first.lstrip().startswith("{"):
        out: list[tuple[str, str | None]] = []
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
            out.append((website, _clean(str(record.get("name") or "")) or None))
        return out
    if "," in first and "website" in [c.strip().lower() for c in first.split(",")]:
        reader = csv.DictReader(io.StringIO(stripped))
        columns = {c.strip().lower(): c for c in reader.fieldnames or []}
        website_col = columns["website"]
        name_col = columns.get("name") or columns.get("company")
        return [
            (w, _clean(row.get(name_col) or "") if name_col else None)
            for row in reader if (w := _clean(row.get(website_col) or ""))
        ]
    return [(v, None) for line in stripped.splitlines() if (v := _clean(line.split(" #")[0]))]


def parse_company_list(text: str, *, name: str = "input") -> list[str]:
    """Return company URLs/domains in file order (duplicates kept: one result per line)."""
    return [website for website, _ in parse_company_records(text, name=name)]


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


class FileSource:
    """A company list file as a discovery `Source` (each registrable domain once)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    async def companies(self) -> AsyncIterator[DiscoveredCompany]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot read companies file {self.path}: {exc.strerror or exc}") from exc
        evidence = self.path.resolve().as_uri()
        seen: set[str] = set()
        for website, company_name in parse_company_records(text, name=str(self.path)):
            url = website if "://" in website else f"https://{website.lstrip('/')}"
            root = site_root(url)
            domain = registrable_domain(url)
            if root is None or not domain or domain in seen:
                continue
            seen.add(domain)
            yield DiscoveredCompany(url=url, name=company_name, source="file", evidence_url=evidence)
