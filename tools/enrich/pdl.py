"""People Data Labs company enrichment: headcount, industry, location, founding year.

Checked against PDL's docs and its OpenAPI file (peopledatalabs/openAPI-specifications
``pdl-specs.json``, path ``/v5/company/enrich``): ``GET /v5/company/enrich?website=&titlecase=true
&min_likelihood=`` with header ``X-Api-Key`` (securityScheme ``APIKeyHeader``). The company record
is at the top level with ``status`` and ``likelihood``, not under ``data``
(docs.peopledatalabs.com/docs/output-response-company-enrichment-api); fields as in the Example
Company Record (docs.peopledatalabs.com/docs/example-company-record): ``name``, ``display_name``,
``size`` bucket ("11-50", "10001+"), ``employee_count``, ``founded``, ``industry``, ``location``
{``name``, ``locality``, ``region``, ``country``}, ``headline``, ``summary``, ``tags``; text is
lowercase unless ``titlecase=true``. Errors (docs.peopledatalabs.com/docs/errors) are
``{"status", "error": {"type", "message"}}``: 404 ``not_found`` = no match (not a failure), 400
``invalid_request_error``, 401 ``authentication_error``, 402 ``payment_required`` (credits used up),
429 ``rate_limit_error``; rate limits are per key and endpoint in fixed windows and the
``x-ratelimit-reset`` header is the UTC time the window resets
(docs.peopledatalabs.com/docs/usage-limits). Only the 404 and 429 bodies are quoted in the docs;
the other messages are the docs' descriptions, not verified wording.
"""

from __future__ import annotations

import re
from typing import Any

from core.models import Company, Contact, Evidence, FieldConflict
from tools.enrich.merge import merge_company
from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.enrich.types import EnrichmentResult
from tools.extract.geo import country_of
from tools.extract.industry import match_industry


def pdl_client(base_url: str, api_key: str, **options: Any) -> ProviderClient:
    """The PDL API as documented: key in the ``X-Api-Key`` header."""
    return ProviderClient("pdl", base_url, headers={"X-Api-Key": api_key}, **options)


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


_FOUNDED = re.compile(r"\b(?:founded|established in)\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def founded_conflict(company: Company, founded: int, source: str) -> FieldConflict | None:
    """A scraped fact naming another founding year than PDL's: kept, and recorded with both
    sources instead of PDL's year being dropped or added beside it without a word."""
    for fact in company.facts:
        if not _FOUNDED.search(fact.claim):
            continue
        years = {int(y) for y in _YEAR.findall(fact.claim)}
        if years and founded not in years:
            conflict = FieldConflict(field="founded", scraped=fact.claim, scraped_source=fact.source_url,
                                     enriched=str(founded), provider_source=source)
            return None if conflict in company.conflicts else conflict
    return None


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
        if isinstance(founded, int):
            conflict = founded_conflict(merged, founded, source)
            if conflict is not None:
                conflicts.append(conflict)
                merged.conflicts.append(conflict)
            elif not any(_FOUNDED.search(f.claim) for f in merged.facts):
                merged.facts.append(Evidence(claim=f"Founded in {founded}.", source_url=source))
                filled.append("founded")
        return EnrichmentResult(self.name, merged, list(contacts), filled, conflicts)

    async def aclose(self) -> None:
        await self.client.aclose()
