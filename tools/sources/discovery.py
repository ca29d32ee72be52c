"""Running discovery sources in turn into one de-duplicated company list, and writing it as a
companies file that `leadgen run` reads (one URL a line, ``# source`` comments)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import aclosing
from typing import TextIO

from tools.extract.domains import registrable_domain
from tools.sources.types import DiscoveredCompany, Source


def excluded_domains(exclude: Iterable[str]) -> frozenset[str]:
    """ICP exclude entries that name a site ("acme.com", "https://acme.com/") as registrable domains."""
    return frozenset(registrable_domain(e) for e in exclude if "." in e and " " not in e.strip())


async def discover_companies(
    sources: Sequence[Source], *, limit: int | None = None, exclude: Iterable[str] = ()
) -> list[DiscoveredCompany]:
    """Companies from ``sources`` in order, each registrable domain once, at most ``limit``."""
    skip = excluded_domains(exclude)
    seen: set[str] = set()
    found: list[DiscoveredCompany] = []
    for source in sources:
        if limit is not None and len(found) >= limit:
            break
        async with aclosing(source.companies()) as companies:  # type: ignore[type-var]
            async for company in companies:
                domain = registrable_domain(company.url)
                if not domain or domain in seen or domain in skip:
                    continue
                seen.add(domain)
                found.append(company)
                if limit is not None and len(found) >= limit:
                    break
    return found


def write_companies_file(companies: Sequence[DiscoveredCompany], out: TextIO, *, title: str = "") -> None:
    """One URL a line; the comment after ``  #`` says where it was found (ignored by `leadgen run`)."""
    if title:
        out.write(f"# {title}\n")
    for c in companies:
        name = f" ({' '.join(c.name.replace('#', ' ').split())})" if c.name else ""
        out.write(f"{c.url}  # {c.source}: {c.evidence_url}{name}\n")
