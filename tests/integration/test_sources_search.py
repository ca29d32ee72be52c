"""Search sources (Brave, SearXNG) against local fake APIs: ICP -> queries -> company sites."""

from __future__ import annotations

import asyncio

import pytest

from core.models import ICP
from tests.fixtures.providers.search_fake import BRAVE_TOKEN, brave_api, brave_error, searxng_api
from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.extract.domains import registrable_domain
from tools.sources.brave import BraveSearch
from tools.sources.search import SearchSource, build_search_provider
from tools.sources.search_queries import search_queries
from tools.sources.searxng import SearxngSearch

FINTECH = [
    ("https://www.ledgerly.com/", "Ledgerly | Invoicing for <strong>Berlin</strong> agencies", "Send invoices."),
    ("https://techcrunch.com/2024/05/01/ledgerly-raises/", "Ledgerly raises $5M", "News."),
    ("https://www.linkedin.com/company/ledgerly", "Ledgerly - LinkedIn", "Profile."),
    ("https://www.crunchbase.com/organization/payfox", "Payfox - Crunchbase Company Profile", "..."),
    ("https://payfox.de/en/pricing", "Pricing - Payfox", "Payments for shops."),
    ("https://blog.ledgerly.com/hello", "Hello from Ledgerly", "Blog."),
    ("https://coinwise.io/", "Top 10 fintech startups in Berlin", "A list."),
    ("https://apps.apple.com/de/app/payfox/id1", "Payfox on the App Store", "App."),
]
LOGISTICS = [
    ("https://shipnorth.com/", "Shipnorth: freight for the north", "Freight."),
    ("https://payfox.de/", "Payfox", "Duplicate of a fintech result."),
    ("https://www.bbc.co.uk/news/business-1", "Freight startups boom", "News."),
]


def index(query: str):
    hits = []
    if "fintech" in query:
        hits += FINTECH
    if "logistics" in query:
        hits += LOGISTICS
    return hits


class RecordedSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def brave(api, sleep=None, token=BRAVE_TOKEN) -> BraveSearch:
    return BraveSearch(ProviderClient("brave", api.base_url, retries=2, sleep=sleep or RecordedSleep(),
                                      headers={"X-Subscription-Token": token}))


ICP_BERLIN = ICP(industries=["fintech", "logistics"], locations=["Berlin"], signals=["hiring"])


async def collect(source):
    return [c async for c in source.companies()]


async def test_brave_results_become_company_sites_once_each():
    with brave_api(index) as api:
        provider = brave(api)
        source = SearchSource(provider, search_queries(ICP_BERLIN), per_query=10)
        found = await collect(source)
        await provider.aclose()
        queries = [q["q"] for q in api.calls_to("/res/v1/web/search")]
    assert queries == ["fintech companies in Berlin", "logistics companies in Berlin",
                       "fintech startups in Berlin hiring", "logistics startups in Berlin hiring"]
    assert [(c.url, c.name) for c in found] == [
        ("https://www.ledgerly.com/", "Ledgerly"),
        ("https://payfox.de/", "Payfox"),
        ("https://shipnorth.com/", "Shipnorth"),
    ]
    assert found[1].evidence_url == "https://payfox.de/en/pricing" and found[0].source == "search:brave"
    reasons = dict(source.rejected)
    assert reasons["https://techcrunch.com/2024/05/01/ledgerly-raises/"] == "news"
    assert reasons["https://www.linkedin.com/company/ledgerly"] == "social"
    assert reasons["https://www.crunchbase.com/organization/payfox"] == "directory"
    assert reasons["https://coinwise.io/"] == "list article"
    assert reasons["https://apps.apple.com/de/app/payfox/id1"] == "app store"


async def test_brave_rate_limit_waits_then_a_long_ban_skips_the_query():
    sleep = RecordedSleep()
    with brave_api(index) as api:
        api.queue("/res/v1/web/search",
                  brave_error(429, "RATE_LIMITED", "Request rate limit exceeded for plan.", {"Retry-After": "2"}),
                  brave_error(429, "RATE_LIMITED", "Request rate limit exceeded for plan.",
                              {"X-RateLimit-Reset": "1, 2592000"}))
        provider = brave(api, sleep=sleep)
        first = await collect(SearchSource(provider, ["fintech companies in Berlin"]))
        assert sleep.waits == [2.0, 1.0]  # Retry-After, then Brave's X-RateLimit-Reset
        assert [registrable_domain(c.url) for c in first] == ["ledgerly.com", "payfox.de"]
        api.queue("/res/v1/web/search",
                  brave_error(429, "RATE_LIMITED", "Quota exceeded.", {"X-RateLimit-Reset": "3000, 2592000"}))
        source = SearchSource(provider, ["fintech companies in Berlin", "logistics companies in Berlin"])
        second = await collect(source)
        await provider.aclose()
    assert sleep.waits == [2.0, 1.0]  # a wait beyond the cap is not taken
    assert source.failed_queries == [("fintech companies in Berlin", "brave: HTTP 429: Quota exceeded.")]
    assert [registrable_domain(c.url) for c in second] == ["shipnorth.com", "payfox.de"]


async def test_brave_server_errors_retry_and_bad_token_stops():
    sleep = RecordedSleep()
    with brave_api(index) as api:
        api.queue("/res/v1/web/search", (502, "<html>Bad gateway</html>", {}), (500, "oops", {}))
        provider = brave(api, sleep=sleep)
        found = await collect(SearchSource(provider, ["fintech companies in Berlin"]))
        await provider.aclose()
        assert len(found) == 2 and sleep.waits == [1.0, 2.0]
        wrong = brave(api, token="nope")
        with pytest.raises(ProviderError, match="subscription token is invalid") as info:
            await collect(SearchSource(wrong, ["fintech companies in Berlin", "logistics"]))
        await wrong.aclose()
    assert info.value.kind == "auth"


async def test_searxng_pages_and_filters(settings):
    many = [(f"https://company{i}.com/", f"Company {i}", "") for i in range(15)]
    configured = settings.model_copy(update={"search_provider": "searxng"})
    with searxng_api(lambda q: many + FINTECH) as api:
        provider = build_search_provider(configured.model_copy(update={"search_base_url": api.base_url}))
        assert isinstance(provider, SearxngSearch)
        found = await collect(SearchSource(provider, ["fintech companies in Berlin"], per_query=20))
        await provider.aclose()
        pages = [q["pageno"] for q in api.calls_to("/search")]
        assert all(q["format"] == "json" for q in api.calls_to("/search"))
    assert pages == ["1", "2"]
    # 20 results: 15 companies, then Ledgerly and Payfox; news, social and directory results dropped.
    assert len(found) == 17 and [c.url for c in found[-2:]] == ["https://www.ledgerly.com/", "https://payfox.de/"]


async def test_searxng_without_json_enabled_is_an_error():
    with searxng_api(index) as api:
        client = ProviderClient("searxng", api.base_url, retries=0)
        provider = SearxngSearch(client)
        api.queue("/search", (403, "<html><body><h1>403 Forbidden</h1></body></html>", {}))
        with pytest.raises(ProviderError) as info:
            await provider.search("x", count=10)
        await provider.aclose()
    assert info.value.kind == "auth" and "403" in info.value.detail


def test_no_provider_when_none_is_configured(settings):
    assert build_search_provider(settings) is None
    with pytest.raises(ValueError, match="SEARCH_API_KEY"):
        build_search_provider(settings.model_copy(update={"search_provider": "brave"}))
