"""Which enrichment providers run: one per configured API key, built from `Settings` in one place."""

from __future__ import annotations

from core.settings import Settings
from tools.enrich.hunter import HunterEnricher
from tools.enrich.pdl import PdlEnricher
from tools.enrich.provider_http import ProviderClient
from tools.enrich.types import Enricher


def provider_client(settings: Settings, provider: str, base_url: str, **kwargs: object) -> ProviderClient:
    return ProviderClient(
        provider, base_url, timeout=settings.provider_timeout, retries=settings.provider_retries,
        retry_after_cap=settings.provider_retry_after_cap, **kwargs,  # type: ignore[arg-type]
    )


def build_enrichers(settings: Settings) -> list[Enricher]:
    """Company-data first (fills fields Hunter's contacts are judged against), then Hunter.
    Empty when no provider key is configured."""
    enrichers: list[Enricher] = []
    if settings.pdl_api_key:
        client = provider_client(settings, "pdl", settings.pdl_base_url,
                                 headers={"X-Api-Key": settings.pdl_api_key})
        enrichers.append(PdlEnricher(client))
    if settings.hunter_api_key:
        client = provider_client(settings, "hunter", settings.hunter_base_url,
                                 secret_params={"api_key": settings.hunter_api_key})
        enrichers.append(HunterEnricher(client, found_confidence=settings.enrich_found_confidence,
                                        verify_max=settings.hunter_verify_max))
    return enrichers
