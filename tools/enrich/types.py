"""The `Enricher` seam: a data provider adds to what was scraped, and says where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from core.models import Company, Contact, FieldConflict


@dataclass
class EnrichmentResult:
    """The company and contacts after one provider's merge. ``company.sources`` names the provider
    URL of every filled field, each new contact has a ``source_url``, and ``conflicts`` lists
    values the provider disagreed on (the scraped value was kept)."""

    provider: str
    company: Company
    contacts: list[Contact]
    filled: list[str] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    error: str | None = None  # the provider failed; company and contacts are unchanged


class Enricher(Protocol):
    name: str

    async def enrich(self, company: Company, contacts: list[Contact]) -> EnrichmentResult:
        """Never raises for provider trouble: a failed call comes back with ``error`` set."""
        ...

    async def aclose(self) -> None: ...
