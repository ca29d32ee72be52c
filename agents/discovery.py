"""Finding a campaign's companies when the brief names a discovery source instead of a list:
the built-in starter directory (pre-filtered by the ICP), a directory listing, or web search."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from agents.icp import effective_icp
from agents.qualifier import qualify_rules
from core.errors import InvalidInput
from core.models import CampaignBrief, Company, Discovery, Evidence
from core.settings import Settings
from tools.sources import (
    DirectorySource,
    SearchSource,
    build_search_provider,
    discover_companies,
    search_queries,
)
from tools.web.types import Fetcher

# The bundled directory of real YC companies (JSONL, one record a line); LEADGEN_STARTER_DIRECTORY
# points at a larger file of the same format.
BUNDLED_DIRECTORY = Path(__file__).resolve().parents[1] / "sampleweb" / "data" / "companies.jsonl"
_NOT_A_COUNTRY = {"America / Canada", "Remote", "Partly Remote", "Fully Remote", "Unspecified", "Europe",
                  "South Asia", "Southeast Asia", "Latin America", "Africa", "Middle East and North Africa"}


def company_from_record(record: dict) -> Company:
    """A directory record as a Company whose facts cite the directory entry's website."""
    url = record.get("website") or ""
    industry = ", ".join(dict.fromkeys(
        [x for x in [record.get("industry"), *(p.strip() for p in (record.get("subindustry") or "").split("->")),
                     *(record.get("tags") or [])] if x]
    ))
    regions = record.get("regions") or []
    description = " ".join(x for x in (record.get("one_liner"), record.get("long_description")) if x)
    fields = ("name", "description", "industry", "locations", "country", "team_size", "is_hiring")
    return Company(
        name=record.get("name"),
        domain=urlparse(url).netloc.removeprefix("www.") or url,
        description=description or None,
        locations=[p.strip() for p in (record.get("locations") or "").split(";") if p.strip()],
        country=next((r for r in regions if r not in _NOT_A_COUNTRY), None),
        team_size=record.get("team_size"),
        industry=industry or None,
        is_hiring=record.get("is_hiring"),
        facts=[Evidence(claim=record["one_liner"], source_url=url)] if record.get("one_liner") else [],
        sources={f: url for f in fields},
    )


def starter_directory(brief: CampaignBrief, limit: int, path: Path | None = None) -> list[str]:
    """Domains from the starter directory whose listed facts fit the ICP, best score first.
    The research step re-checks every one against the company's own site."""
    source = path or BUNDLED_DIRECTORY
    records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    scored = []
    for record in records:
        company = company_from_record(record)
        verdict = qualify_rules(company, brief)
        if verdict.fit:
            scored.append((-verdict.score, company.domain))
    # Bare domains: the researcher tries https, then http.
    return [domain for _, domain in sorted(scored)[:limit]]


async def discover(discovery: Discovery, brief: CampaignBrief, *, fetcher: Fetcher, settings: Settings) -> list[str]:
    """Company URLs (or bare domains) for a campaign, at most ``discovery.limit``."""
    if discovery.source == "yc":
        path = Path(settings.starter_directory) if settings.starter_directory else None
        return starter_directory(brief, discovery.limit, path)
    icp = effective_icp(brief)
    if discovery.source == "directory":
        assert discovery.url is not None  # Discovery validates it
        source = DirectorySource(discovery.url, fetcher, max_pages=settings.directory_page_cap)
        found = await discover_companies([source], limit=discovery.limit, exclude=icp.exclude)
        return [c.url for c in found]
    provider = build_search_provider(settings)
    if provider is None:
        raise InvalidInput("web_search discovery needs LEADGEN_SEARCH_PROVIDER (brave or searxng) and its API settings")
    try:
        queries = search_queries(icp, max_queries=settings.search_max_queries)
        source = SearchSource(provider, queries, per_query=settings.search_results_per_query)
        found = await discover_companies([source], limit=discovery.limit, exclude=icp.exclude)
    finally:
        await provider.aclose()
    return [c.url for c in found]
