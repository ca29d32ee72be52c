"""Web search as a discovery `Source`: the `SearchProvider` seam, its result type, and the filter
that keeps company sites (one per registrable domain) and drops news, social and directories."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from core.settings import Settings
from tools.enrich.provider_http import ProviderError
from tools.extract.domains import registrable_domain
from tools.sources.company_sites import non_company_reason, site_root
from tools.sources.types import DiscoveredCompany

log = logging.getLogger(__name__)
_LISTICLE = re.compile(r"^\s*(?:top\s+\d+|\d+\s+(?:best|top|leading|hottest)|best\s|list of\s)", re.I)
_ARTICLE_PATH = re.compile(r"/(?:19|20)\d\d/|/(?:news|article|articles|story|stories|press-release)/", re.I)
_TITLE_SPLIT = re.compile(r"\s+[|·–—-]\s+|\s*:\s+")


@dataclass(frozen=True)
class SearchResult:
    url: str
    title: str
    snippet: str


class SearchProvider(Protocol):
    name: str

    async def search(self, query: str, *, count: int) -> list[SearchResult]:
        """Raises tools.enrich.provider_http.ProviderError when the API fails."""
        ...

    async def aclose(self) -> None: ...


def result_rejection(result: SearchResult) -> str | None:
    """Why a result is not a company's own site, or None when it looks like one."""
    if reason := non_company_reason(result.url):
        return reason
    if _LISTICLE.search(result.title):
        return "list article"
    if _ARTICLE_PATH.search(urlsplit(result.url).path):
        return "article"
    return None


def name_from_title(title: str, url: str) -> str | None:
    """The part of a page title that names the site: "Acme | Warehouse robots" -> "Acme"."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p.strip()]
    if not parts:
        return None
    label = registrable_domain(url).split(".")[0].replace("-", "").lower()
    for part in parts:
        if label and part.replace(" ", "").replace("-", "").lower().startswith(label[:4]):
            return part[:80]
    return parts[0][:80] if len(parts[0]) <= 40 else None


class SearchSource:
    """Company sites found by running ``queries`` through a search provider."""

    def __init__(self, provider: SearchProvider, queries: Sequence[str], *, per_query: int = 20) -> None:
        self.provider = provider
        self.queries = list(queries)
        self.per_query = per_query
        self.rejected: list[tuple[str, str]] = []  # (url, reason), for reporting
        self.failed_queries: list[tuple[str, str]] = []

    async def companies(self) -> AsyncIterator[DiscoveredCompany]:
        seen: set[str] = set()
        for index, query in enumerate(self.queries):
            try:
                results = await self.provider.search(query, count=self.per_query)
            except ProviderError as exc:
                if exc.kind in ("auth", "bad_request"):
                    raise  # configuration trouble: every further query would fail the same way
                log.warning("search %r failed: %s", query, exc.detail)
                self.failed_queries.append((query, exc.detail))
                if exc.kind == "quota_exhausted":
                    # The plan is spent until it resets: stop asking, keep what was found.
                    self.failed_queries += [(q, exc.detail) for q in self.queries[index + 1:]]
                    return
                continue
            for result in results:
                if reason := result_rejection(result):
                    self.rejected.append((result.url, reason))
                    continue
                root, domain = site_root(result.url), registrable_domain(result.url)
                if root is None or not domain or domain in seen:
                    continue
                seen.add(domain)
                yield DiscoveredCompany(url=root, name=name_from_title(result.title, result.url),
                                        source=f"search:{self.provider.name}", evidence_url=result.url)


def build_search_provider(settings: Settings) -> SearchProvider | None:
    """The configured search API, or None (``search_provider=none``)."""
    from tools.enrich.providers import client_options
    from tools.sources.brave import BRAVE_BASE_URL, BraveSearch, brave_client
    from tools.sources.searxng import SearxngSearch, searxng_client

    if settings.search_provider == "brave":
        if not settings.search_api_key:
            raise ValueError("LEADGEN_SEARCH_API_KEY is required for the brave search provider")
        return BraveSearch(brave_client(settings.search_base_url or BRAVE_BASE_URL, settings.search_api_key,
                                        **client_options(settings)))
    if settings.search_provider == "searxng":
        if not settings.search_base_url:
            raise ValueError("LEADGEN_SEARCH_BASE_URL (your SearXNG instance) is required for searxng")
        return SearxngSearch(searxng_client(settings.search_base_url, settings.search_api_key,
                                            **client_options(settings)))
    return None
