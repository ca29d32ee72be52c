"""Directory crawl through the real fetcher (robots, politeness, SSRF guard) against a local listing site."""

from __future__ import annotations

import pytest

from core.errors import BlockedByRobots, FetchError
from tests.fixtures.providers.listing_site import ALL_COMPANIES, listing_routes
from tests.fixtures.web.server import page, serve
from tools.extract.domains import registrable_domain
from tools.sources.directory import DirectorySource
from tools.web.fetcher import build_fetcher


@pytest.fixture
def fast(settings):
    return settings.model_copy(update={"per_host_delay": 0.0, "browser": False, "page_cache": False})


async def crawl(settings, start: str, **kwargs):
    fetcher = build_fetcher(settings)
    try:
        source = DirectorySource(start, fetcher, **kwargs)
        found = [c async for c in source.companies()]
    finally:
        await fetcher.aclose()
    return source, found


async def test_crawl_follows_pagination_and_keeps_each_company_once(fast):
    with serve(listing_routes()) as web:
        source, found = await crawl(fast, web.url("/companies"))
        assert [registrable_domain(c.url) for c in found] == ALL_COMPANIES
        assert web.hits("/blog?page=2") == 0  # another listing on the same site is not followed
        assert all(web.hits(p) == 1 for p in ["/companies", "/companies?page=2", "/companies?page=5"])
        assert web.hits("/robots.txt") == 1
        assert web.requests[0].headers.get("User-Agent", "").startswith("leadgen-bot")
    by_domain = {registrable_domain(c.url): c for c in found}
    acme = by_domain["acme-robotics.com"]
    assert (acme.url, acme.name, acme.source) == ("https://acme-robotics.com/", "Acme Robotics", "directory")
    assert acme.evidence_url == web.url("/companies")
    assert by_domain["beta-labs.io"].name is None  # "Visit website" is not a name
    assert by_domain["delta-health.de"].name is None and by_domain["delta-health.de"].url == "https://delta-health.de/"
    assert by_domain["gamma.co.uk"].name == "Gamma Foods"
    assert by_domain["eta-energy.com"].evidence_url == web.url("/companies?page=5")
    assert len(source.pages_read) == 5


async def test_page_cap_stops_the_crawl(fast):
    with serve(listing_routes()) as web:
        source, found = await crawl(fast, web.url("/companies"), max_pages=2)
        assert web.hits("/companies?page=3") == 0
    assert [registrable_domain(c.url) for c in found] == ALL_COMPANIES[:4]
    assert len(source.pages_read) == 2


async def test_robots_disallow_and_missing_listing_are_errors(fast):
    routes = {**listing_routes(), "/robots.txt": page("User-agent: *\nDisallow: /companies\n", content_type="text/plain")}
    with serve(routes) as web:
        with pytest.raises(BlockedByRobots):
            await crawl(fast, web.url("/companies"))
        with pytest.raises(FetchError) as info:
            await crawl(fast, web.url("/no-such-listing"))
        assert info.value.kind == "http_404"


async def test_unsafe_start_url_is_refused(settings):
    guarded = settings.model_copy(update={"allow_private_hosts": [], "browser": False, "page_cache": False})
    with serve(listing_routes()) as web:
        with pytest.raises(FetchError) as info:
            await crawl(guarded, web.url("/companies"))
        assert info.value.kind == "unsafe_url" and web.requests == []
