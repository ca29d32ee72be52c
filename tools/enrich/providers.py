"""Which enrichment providers run: one per configured API key, built from `Settings` in one place."""

from __future__ import annotations

from typing import Any

from core.settings import Settings
from tools.enrich.hunter import HunterEnricher, hunter_client
from tools.enrich.pdl import PdlEnricher, pdl_client
from tools.enrich.types import Enricher


def client_options(settings: Settings) -> dict[str, Any]:
    """Timeout and retry budget shared by every enrichment and search API client."""
    return {"timeout": settings.provider_timeout, "retries": settings.provider_retries,
            "retry_after_cap": settings.provider_retry_after_cap}


def build_enrichers(settings: Settings) -> list[Enricher]:
    """Company-data first (fills fields Hunter's contacts are judged against), then Hunter.
    Empty when no provider key is configured."""
    enrichers: list[Enricher] = []
    if settings.pdl_api_key:
        enrichers.append(PdlEnricher(pdl_client(settings.pdl_base_url, settings.pdl_api_key,
                                                **client_options(settings))))
    if settings.hunter_api_key:
        client = hunter_client(settings.hunter_base_url, settings.hunter_api_key, **client_options(settings))
        enrichers.append(HunterEnricher(client, found_confidence=settings.enrich_found_confidence,
                                        verify_max=settings.hunter_verify_max))
    return enrichers
