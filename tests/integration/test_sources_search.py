"""Search sources (Brave, SearXNG) against local fake APIs serving their documented shapes:
ICP -> queries -> company sites, plus empty answers, refused tokens, throttling (retried, then given
up), a spent quota, 5xx and non-JSON answers. A failed query never loses what earlier ones found."""

from __future__ import annotations

import asyncio

import pytest

from core.models import ICP
from tests.fixtures.providers.search_fake import (
    BRAVE_TOKEN,
    brave_api,
    brave_quota_limited,
    brave_rate_limited,
    searxng_api,
    searxng_too_many_requests,
)
from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.extract.domains import registrable_domain
from tools.sources.brave import BraveSearch, brave_client, brave_error_kind
from tools.sources.search import SearchSource, build_search_provider
from tools.sources.search_queries import search_queries
from tools.sources.searxng import SearxngSearch, searxng_client

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
    return BraveSearch(brave_client(api.base_url, token, retries=2, sleep=sleep or RecordedSleep()))


def searxng(api, sleep=None) -> SearxngSearch:
    return SearxngSearch(searxng_client(api.base_url, retries=2, sleep=sleep or RecordedSleep()))


ICP_BERLIN = ICP(industries=["fintech", "logistics"], locations=["Berlin"], signals=["hiring"])


async def collect(source):
    try:
        return [c async for c in source.companies()]
    finally:
        await source.provider.aclose()


def domains(found) -> list[str]:
    return [registrable_domain(c.url) for c in found]


async def test_brave_results_become_company_sites_once_each():
    with brave_api(index) as api:
        source = SearchSource(brave(api), search_queries(ICP_BERLIN), per_query=10)
        found = await collect(source)
        calls = api.calls_to("/res/v1/web/search")
    assert [q["q"] for q in calls] == ["fintech companies in Berlin", "logistics companies in Berlin",
                                       "fintech startups in Berlin hiring", "logistics startups in Berlin hiring"]
    assert all(q["text_decorations"] == "false" and q["count"] == "10" for q in calls)
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


async def test_brave_snippets_come_without_highlight_markup():
    with brave_api(lambda q: FINTECH) as api:
        provider = brave(api)
        results = await provider.search("payments for shops", count=20)
        _, decorated = await provider.client.get_json("/res/v1/web/search", {"q": "payments for shops"})
        await provider.aclose()
    assert decorated["web"]["results"][4]["description"] == "<strong>Payments</strong> for <strong>shops</strong>."
    assert results[4].snippet == "Payments for shops."
    assert results[0].title == "Ledgerly | Invoicing for Berlin agencies"  # stray markup is stripped too


async def test_brave_nothing_found_is_an_empty_list():
    with brave_api(lambda q: []) as api:
        source = SearchSource(brave(api), ["quantum bakeries in Atlantis"])
        assert await collect(source) == [] and source.failed_queries == []


async def test_brave_refused_or_missing_token_stops_discovery():
    with brave_api(index) as api:
        with pytest.raises(ProviderError, match="subscription token is invalid") as wrong:
            await collect(SearchSource(brave(api, token="nope"), ["fintech companies in Berlin", "logistics"]))
        missing = BraveSearch(ProviderClient("brave", api.base_url, classify=brave_error_kind))
        with pytest.raises(ProviderError, match="HTTP 422") as absent:
            await collect(SearchSource(missing, ["fintech companies in Berlin"]))
        assert len(api.calls_to("/res/v1/web/search")) == 2  # no retries, no second query
    assert wrong.value.kind == absent.value.kind == "auth" and wrong.value.http_status == 422


async def test_brave_throttle_waits_for_the_spent_window_then_succeeds():
    sleep = RecordedSleep()
    with brave_api(index) as api:
        api.queue("/res/v1/web/search", brave_rate_limited())
        found = await collect(SearchSource(brave(api, sleep=sleep), ["fintech companies in Berlin"]))
    assert sleep.waits == [1.0]  # X-RateLimit-Reset of the per-second window, the one at 0
    assert domains(found) == ["ledgerly.com", "payfox.de"]


async def test_brave_throttle_that_outlasts_the_retries_skips_only_that_query():
    sleep = RecordedSleep()
    with brave_api(index) as api:
        api.queue("/res/v1/web/search", *[brave_rate_limited()] * 3)
        source = SearchSource(brave(api, sleep=sleep), ["fintech companies in Berlin", "logistics companies in Berlin"])
        found = await collect(source)
    assert sleep.waits == [1.0, 1.0]
    assert source.failed_queries == [("fintech companies in Berlin", "brave: HTTP 429: Request rate limit exceeded "
                                      "for plan. (gave up after 3 attempts)")]
    assert domains(found) == ["shipnorth.com", "payfox.de"]


async def test_brave_spent_quota_stops_asking_and_keeps_what_was_found():
    sleep = RecordedSleep()
    queries = ["fintech companies in Berlin", "logistics companies in Berlin", "fintech startups in Berlin hiring"]
    with brave_api(index) as api:
        source = SearchSource(brave(api, sleep=sleep), queries)
        companies = source.companies()
        found = [await anext(companies), await anext(companies)]
        api.queue("/res/v1/web/search", brave_quota_limited())
        found += [c async for c in companies]
        await source.provider.aclose()
        assert len(api.calls_to("/res/v1/web/search")) == 2
    assert sleep.waits == []  # the month is spent: waiting a second would not help
    assert domains(found) == ["ledgerly.com", "payfox.de"]
    detail = "brave: HTTP 429: Request quota limit exceeded for plan."
    assert source.failed_queries == [(q, detail) for q in queries[1:]]


async def test_brave_server_errors_retry_and_garbage_skips_the_query():
    sleep = RecordedSleep()
    with brave_api(index) as api:
        api.queue("/res/v1/web/search", (502, "<html>Bad gateway</html>", {"Content-Type": "text/html"}),
                  (500, "oops", {"Content-Type": "text/plain"}))
        found = await collect(SearchSource(brave(api, sleep=sleep), ["fintech companies in Berlin"]))
        assert len(found) == 2 and sleep.waits == [1.0, 2.0]
        api.queue("/res/v1/web/search", (200, "<html>captive portal</html>", {"Content-Type": "text/html"}),
                  (200, {"type": "ErrorResponse"}, {}))
        source = SearchSource(brave(api, sleep=sleep), ["fintech companies in Berlin", "logistics companies in Berlin",
                                                        "fintech startups in Berlin"])
        found = await collect(source)
    assert source.failed_queries == [("fintech companies in Berlin", "brave: answer is not JSON"),
                                     ("logistics companies in Berlin", "brave: answer is not a search response")]
    assert domains(found) == ["ledgerly.com", "payfox.de"]


async def test_searxng_pages_and_filters(settings):
    many = [(f"https://company{i}.com/", f"Company {i}", "") for i in range(15)]
    configured = settings.model_copy(update={"search_provider": "searxng"})
    with searxng_api(lambda q: many + FINTECH) as api:
        provider = build_search_provider(configured.model_copy(update={"search_base_url": api.base_url}))
        assert isinstance(provider, SearxngSearch)
        found = await collect(SearchSource(provider, ["fintech companies in Berlin"], per_query=20))
        pages = [q["pageno"] for q in api.calls_to("/search")]
        assert all(q["format"] == "json" for q in api.calls_to("/search"))
    assert pages == ["1", "2"]
    # 20 results: 15 companies, then Ledgerly and Payfox; news, social and directory results dropped.
    assert len(found) == 17 and [c.url for c in found[-2:]] == ["https://www.ledgerly.com/", "https://payfox.de/"]


async def test_searxng_nothing_found_and_engines_that_all_failed_are_told_apart():
    with searxng_api(lambda q: []) as api:
        assert await searxng(api).search("quantum bakeries", count=10) == []
        assert len(api.calls_to("/search")) == 1
    with searxng_api(lambda q: [], unresponsive=[("google", "CAPTCHA"), ("duckduckgo", "timeout")]) as api:
        source = SearchSource(searxng(api), ["fintech companies in Berlin"])
        assert await collect(source) == []
    assert source.failed_queries == [
        ("fintech companies in Berlin", "searxng: no engine answered: duckduckgo (timeout), google (CAPTCHA)")]


async def test_searxng_without_json_enabled_is_a_configuration_error():
    with searxng_api(index, formats=["html"]) as api:
        with pytest.raises(ProviderError, match="format=json refused") as info:
            await collect(SearchSource(searxng(api), ["fintech companies in Berlin", "logistics"]))
        assert len(api.calls_to("/search")) == 1
    assert info.value.kind == "auth" and info.value.http_status == 403


async def test_searxng_limiter_429_backs_off_then_succeeds_or_skips_the_query():
    sleep = RecordedSleep()
    with searxng_api(index) as api:
        api.queue("/search", searxng_too_many_requests())
        found = await collect(SearchSource(searxng(api, sleep=sleep), ["fintech companies in Berlin"]))
        assert domains(found) == ["ledgerly.com", "payfox.de"] and sleep.waits == [1.0]
        api.queue("/search", *[searxng_too_many_requests()] * 3)
        source = SearchSource(searxng(api, sleep=sleep), ["fintech companies in Berlin", "logistics companies in Berlin"])
        found = await collect(source)
    assert sleep.waits == [1.0, 1.0, 2.0]
    assert source.failed_queries == [("fintech companies in Berlin",
                                      "searxng: HTTP 429: Too Many Requests (gave up after 3 attempts)")]
    assert domains(found) == ["shipnorth.com", "payfox.de"]


async def test_searxng_server_error_is_retried_and_garbage_skips_the_query():
    sleep = RecordedSleep()
    with searxng_api(index) as api:
        api.queue("/search", (500, {"error": "search error"}, {}))
        found = await collect(SearchSource(searxng(api, sleep=sleep), ["fintech companies in Berlin"]))
        assert len(found) == 2 and sleep.waits == [1.0]
        api.queue("/search", (200, "<!doctype html><html>results</html>", {"Content-Type": "text/html"}))
        source = SearchSource(searxng(api, sleep=sleep), ["fintech companies in Berlin", "logistics companies in Berlin"])
        found = await collect(source)
    assert source.failed_queries == [("fintech companies in Berlin", "searxng: answer is not JSON")]
    assert domains(found) == ["shipnorth.com", "payfox.de"]


def test_no_provider_when_none_is_configured(settings):
    assert build_search_provider(settings) is None
    with pytest.raises(ValueError, match="SEARCH_API_KEY"):
        build_search_provider(settings.model_copy(update={"search_provider": "brave"}))
    with pytest.raises(ValueError, match="SEARCH_BASE_URL"):
        build_search_provider(settings.model_copy(update={"search_provider": "searxng"}))
