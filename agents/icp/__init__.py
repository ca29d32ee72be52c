"""ICP rules: reading an ICP from a brief, normalising industries/locations/signals, and scoring a
company against it (the qualifier's deterministic engine)."""

from agents.icp.brief import effective_icp, icp_from_text
from agents.icp.scoring import FIT_THRESHOLD, company_urls, hard_failures, score_company

__all__ = [
    "FIT_THRESHOLD", "company_urls", "effective_icp", "hard_failures", "icp_from_text", "score_company",
]
