"""People Data Labs company enrichment: headcount, industry, location, founding year.

Shape as we know PDL's v5 API (written without access to the docs online):
``GET /v5/company/enrich?website=acme.com&titlecase=true`` with header ``X-Api-Key`` -> the company
record at the top level: ``{"status": 200, "likelihood", "name", "display_name", "size": "11-50",
"employee_count", "founded", "industry", "location": {"name", "locality", "region", "country"},
"headline", "summary", "tags"}``. No match is a 404 ``{"status": 404, "error": {"type":
"not_found", "message"}}``; other errors use the same ``error`` object.
"""

from __future__ import annotations

import re
from typing import Any

from core.models import Company, Contact, Evidence
from tools.enrich.merge import merge_company
from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.enrich.types import EnrichmentResult
from tools.extract.geo import country_of
from tools.extract.industry import match_industry


def size_range(size: object) -> tuple[int, int] | None:
    """PDL size buckets: "11-50" -> (11, 50), "10001+" -> (10001, 10**9)."""
    text = str(size or "").replace(",", "")
    if m := re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text):
        return int(m.group(1)), int(m.group(2))
    if m := re.fullmatch(r"\s*(\d+)\s*\+\s*", text):
        return int(m.group(1)), 10**9
    return None


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return sentence[:300]


def company_offer(record: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = record["location"] if isinstance(record.get("location"), dict) else {}
    industry = record.get("industry")
    count = record.get("employee_count")
    description = record.get("headline") or (_first_sentence(record["summary"]) if record.get("summary") else None)
    tags = [str(t) for t in record.get("tags") or [] if t]
    return {
        "name": record.get("display_name") or record.get("name") or None,
        "description": description,
        "industry": (match_industry(industry) or industry) if industry else None,
        "team_size": int(count) if isinstance(count, int | float) and count > 0 else None,
        "locations": [location["name"]] if location.get("name") else [],
        "country": country_of(location["country"], allow_code=True) if location.get("country") else None,
        "keywords": tags,
    }


class PdlEnricher:
    name = "pdl"

    def __init__(self, client: ProviderClient, *, min_likelihood: int = 2) -> None:
        self.client = client
        self.min_likelihood = min_likelihood

    async def enrich(self, company: Company, contacts: list[Contact]) -> EnrichmentResult:
        params = {"website": company.domain, "titlecase": "true", "min_likelihood": self.min_likelihood}
        source = self.client.public_url("/v5/company/enrich", params)
        try:
            _, record = await self.client.get_json("/v5/company/enrich", params)
        except ProviderError as exc:
            if exc.kind == "not_found":
                return EnrichmentResult(self.name, company, contacts)
            return EnrichmentResult(self.name, company, contacts, error=exc.detail)
        if not isinstance(record, dict):
            return EnrichmentResult(self.name, company, contacts, error="pdl: answer is not a record")
        merged, filled, conflicts = merge_company(
            company, company_offer(record), source, team_size_range=size_range(record.get("size"))
        )
        founded = record.get("founded")
        if isinstance(founded, int) and not any("founded" in f.claim.lower() for f in merged.facts):
            merged.facts.append(Evidence(claim=f"Founded in {founded}.", source_url=source))
            filled.append("founded")
        return EnrichmentResult(self.name, merged, list(contacts), filled, conflicts)

    async def aclose(self) -> None:
        await self.client.aclose()
