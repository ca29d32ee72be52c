"""The `Source` seam: anything that yields candidate companies (files, directory listings, web search)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DiscoveredCompany:
    url: str  # the company's own site (home page)
    name: str | None
    source: str  # "file", "directory", "search:brave", ...
    evidence_url: str  # where it was found: a file, a listing page, a search result


class Source(Protocol):
    def companies(self) -> AsyncIterator[DiscoveredCompany]:
        """Candidates in the order found, each company site once."""
        ...
