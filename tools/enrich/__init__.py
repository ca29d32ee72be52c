"""Enrichment providers behind the `Enricher` seam (Hunter.io, People Data Labs) and the merge rules."""

from tools.enrich.lead import enrich_lead
from tools.enrich.providers import build_enrichers
from tools.enrich.types import Enricher, EnrichmentResult

__all__ = ["Enricher", "EnrichmentResult", "build_enrichers", "enrich_lead"]
