"""The research-step hook: run every configured enricher over a researched `Lead`."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from core.models import Lead
from tools.enrich.types import Enricher

log = logging.getLogger(__name__)


async def enrich_lead(lead: Lead, enrichers: Sequence[Enricher]) -> Lead:
    """A copy of ``lead`` with each provider's data merged in turn (scraped values win; conflicts
    land in ``company.conflicts``). Leads without a company (errors) come back unchanged; a failing
    provider is logged and skipped, never fatal."""
    if lead.company is None or lead.status == "error" or not enrichers:
        return lead
    company, contacts = lead.company, list(lead.contacts)
    for enricher in enrichers:
        result = await enricher.enrich(company, contacts)
        if result.error:
            log.warning("enrichment by %s failed for %s: %s", enricher.name, company.domain, result.error)
            continue
        company, contacts = result.company, result.contacts
    return lead.model_copy(update={"company": company, "contacts": contacts})
