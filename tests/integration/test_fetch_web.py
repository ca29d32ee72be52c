"""WebFetcher end to end on a local server: robots.txt, politeness, page cache, counters."""

from __future__ import annotations

import asyncio
import threading

import pytest

from core.errors import BlockedByRobots, FetchError
from tests.fixtures.web.server import page, redirect, sequence, serve, slow
from tools.web.fetcher import WebFetcher, build_fetcher

HTML = "<html><body><h1>Acme</h1><p>We make widgets for bakeries.</p></body></html>"
ROBOTS = "User-agent: *\nDisallow: /private\nAllow: /private/press\n"


@pytest.fixture
async def make_web(settings):
    made: list[WebFetcher] = []

    def make(clock=None, **overrides) -> WebFetcher:
        values = {"per_host_delay": 0.0, "browser": False, "fetch_timeout": 3.0, **overrides}
        kwargs = {"clock": clock} if clock else {}
        fetcher = WebFetcher(settings.model_copy(update=values), backoff_base=0.01, **kwargs)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        await fetcher.aclose()


def robots_route(text: str):
    return page(text, content_type="text/plain")


async def test_robots_longest_match_end_to_end(make_web):
    routes = {"/robots.txt": robots_route(ROBOTS), "/private/press/kit": page(HTML),
              "/private/x": page(HTML), "/": page(HTML)}
    with serve(routes) as srv:
        web = make_web()
        assert (await web.fetch(srv.url("/private/press/kit"))).status == 200
        with pytest.raises(BlockedByRobots):
            await web.fetch(srv.url("/private/x"))
        await web.fetch(srv.url("/"))
        assert srv.hits("/private/x") == 0
        assert srv.hits("/robots.txt") == 1  # cached per origin
    assert web.counters.robots_refusals == 1
    assert web.metrics()["errors"] == {"robots": 1}


async def test_robots_404_allows_everything(make_web):
    with serve({"/private/x": page(HTML)}) as srv:  # no robots.txt route -> 404
        page_ = await make_web().fetch(srv.url("/private/x"))
    assert page_.status == 200


@pytest.mark.parametrize("status", [500, 503])
async def test_robots_5xx_disallows_everything(make_web, status: int):
    with serve({"/robots.txt": page("down", status), "/": page(HTML)}) as srv:
        with pytest.raises(BlockedByRobots):
            await make_web(fetch_retries=0).fetch(srv.url("/"))
        assert srv.hits("/") == 0


async def test_robots_unreachable_disallows(make_web):
    with serve({"/robots.txt": slow(5, robots_route(""))}) as srv:
        with pytest.raises(BlockedByRobots):
            await make_web(fetch_timeout=0.3, fetch_retries=0).fetch(srv.url("/"))


async def test_robots_cache_expires_after_a_day(make_web):
    now = [0.0]
    with serve({"/robots.txt": robots_route(ROBOTS), "/": page(HTML), "/a": page(HTML)}) as srv:
        web = make_web(clock=lambda: now[0], page_cache=False)
        await web.fetch(srv.url("/"))
        now[0] += 23 * 3600
        await web.fetch(srv.url("/a"))
        assert srv.hits("/robots.txt") == 1
        now[0] += 2 * 3600
        await web.fetch(srv.url("/"))
        assert srv.hits("/robots.txt") == 2


async def test_redirect_into_a_disallowed_path_is_blocked(make_web):
    routes = {"/robots.txt": robots_route(ROBOTS), "/go": redirect("/private/x"), "/private/x": page(HTML)}
    with serve(routes) as srv:
        with pytest.raises(BlockedByRobots):
            await make_web().fetch(srv.url("/go"))
        assert srv.hits("/private/x") == 0


async def test_per_host_concurrency_never_exceeds_two(make_web):
    routes = {f"/p{i}": slow(0.15, page(HTML)) for i in range(8)}
    with serve(routes) as srv:
        web = make_web(per_host_concurrency=5, page_cache=False)  # asks for 5, hard max is 2
        await asyncio.gather(*(web.fetch(srv.url(f"/p{i}")) for i in range(8)))
        assert srv.peak_in_flight == 2


async def test_min_delay_between_request_starts_to_one_host(make_web):
    routes = {f"/p{i}": page(HTML) for i in range(5)}
    with serve(routes) as srv:
        web = make_web(per_host_delay=0.3, page_cache=False)
        await asyncio.gather(*(web.fetch(srv.url(f"/p{i}")) for i in range(5)))
        starts = sorted(r.started for r in srv.requests)
    assert len(starts) == 6  # robots.txt + 5 pages
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # Starts are seen by the server, after the client's own scheduling and the network: allow for
    # that jitter; without the limiter these gaps are about a millisecond.
    assert min(gaps) >= 0.2
    assert sum(gaps) / len(gaps) >= 0.27


async def test_cache_hit_avoids_a_second_request(make_web):
    with serve({"/": page(HTML)}) as srv:
        web = make_web()
        first = await web.fetch(srv.url("/"))
        second = await web.fetch(srv.url("/"))
        assert srv.hits("/") == 1
        again = await make_web().fetch(srv.url("/"))  # a new process reads the same disk cache
        assert srv.hits("/") == 1
    assert first.fetched_with == "httpx"
    assert second.fetched_with == "cache" and again.fetched_with == "cache"
    assert second.html == first.html
    assert web.counters.cache_hits == 1


async def test_cache_can_be_turned_off(make_web):
    with serve({"/": page(HTML)}) as srv:
        web = make_web(page_cache=False)
        await web.fetch(srv.url("/"))
        await web.fetch(srv.url("/"))
        assert srv.hits("/") == 2


async def test_fetch_text_reads_sitemaps_and_counts_errors(make_web):
    sitemap = "<?xml version='1.0'?><urlset><url><loc>/a</loc></url></urlset>"
    routes = {"/sitemap.xml": page(sitemap, content_type="application/xml")}
    with serve(routes) as srv:
        web = make_web()
        assert "<urlset>" in await web.fetch_text(srv.url("/sitemap.xml"))
        with pytest.raises(FetchError):
            await web.fetch_text(srv.url("/nope.xml"))
    assert web.metrics()["errors"] == {"http_404": 1}
    assert web.requests >= 3


async def test_fetch_text_is_cached_on_disk_but_robots_txt_is_not(make_web):
    sitemap = "<?xml version='1.0'?><urlset><url><loc>/a</loc></url></urlset>"
    routes = {"/sitemap.xml": page(sitemap, content_type="application/xml"),
              "/robots.txt": robots_route(ROBOTS)}
    with serve(routes) as srv:
        first = await make_web().fetch_text(srv.url("/sitemap.xml"))
        again = make_web()  # a new process reads the same disk cache
        assert await again.fetch_text(srv.url("/sitemap.xml")) == first
        await again.fetch_text(srv.url("/robots.txt"))
        await make_web().fetch_text(srv.url("/robots.txt"))
        assert srv.hits("/sitemap.xml") == 1
        assert srv.hits("/robots.txt") == 3  # once for the first sitemap read, then once per call
        assert again.counters.cache_hits == 1
        uncached = make_web(page_cache=False)
        await uncached.fetch_text(srv.url("/sitemap.xml"))
        assert srv.hits("/sitemap.xml") == 2


async def test_build_fetcher_uses_settings(settings):
    web = build_fetcher(settings)
    try:
        assert web.cache is not None and web.browser is not None
    finally:
        await web.aclose()


async def test_failed_render_keeps_the_plain_html(make_web, tmp_path):
    js_page = "<html><body><div id='root'></div><script src='/app.js'></script></body></html>"
    with serve({"/": page(js_page)}) as srv:
        web = make_web(browser=True, browser_executable=str(tmp_path / "no-such-chromium"))
        result = await web.fetch(srv.url("/"))
    assert result.fetched_with == "httpx" and "id=\"root\"" in result.html.replace("'", '"')
    assert web.counters.errors == {"browser_browser": 1}


async def test_render_false_never_starts_the_browser(make_web):
    js_page = "<html><body><div id='root'></div><script src='/app.js'></script></body></html>"
    with serve({"/": page(js_page)}) as srv:
        web = make_web(browser=True, page_cache=False)
        result = await web.fetch(srv.url("/"), render=False)
    assert result.fetched_with == "httpx"
    assert web.browser is not None and web.browser.pages == 0


async def test_a_huge_robots_txt_counts_up_to_500_kib_and_never_half_a_line(make_web):
    # "Allow: /public-reports" straddles the 500 KiB mark: cut to "Allow: /p" it would allow
    # /private. Rules past the mark are not read at all.
    head = "User-agent: *\nDisallow: /\n"
    head += "#" + "x" * (500 * 1024 - len("Allow: /p") - len(head) - 2) + "\n"
    assert len(head) + len("Allow: /p") == 500 * 1024
    text = head + "Allow: /public-reports\n" + "# padding\n" * 20_000 + "Allow: /late\n"
    routes = {"/robots.txt": robots_route(text), "/private": page(HTML), "/late": page(HTML)}
    with serve(routes) as srv:
        web = make_web()
        rules = await web.robots.rules_for(srv.url("/"))
        assert not rules.allowed(srv.url("/private"))
        assert not rules.allowed(srv.url("/late"))
        assert not rules.allowed(srv.url("/public-reports"))  # the cut line is dropped whole


async def test_robots_txt_redirects_are_followed_and_apply_to_the_first_host(make_web):
    with serve({"/robots.txt": robots_route("User-agent: *\nDisallow: /private\n")}) as other:
        routes = {"/robots.txt": redirect("/robots-new.txt"), "/robots-new.txt": redirect(other.url("/robots.txt")),
                  "/private": page(HTML), "/": page(HTML)}
        with serve(routes) as srv:
            web = make_web()
            await web.fetch(srv.url("/"))
            with pytest.raises(BlockedByRobots):
                await web.fetch(srv.url("/private"))
            assert srv.hits("/private") == 0 and other.hits("/robots.txt") == 1


async def test_robots_txt_redirecting_in_a_loop_is_unavailable_so_allows(make_web):
    # RFC 9309 §2.3.1.2: past five redirects robots.txt MAY be taken as unavailable (like a 4xx).
    routes = {"/robots.txt": redirect("/r1"), "/r1": redirect("/robots.txt"), "/": page(HTML)}
    with serve(routes) as srv:
        result = await make_web(fetch_max_redirects=5).fetch(srv.url("/"))
        assert srv.hits("/robots.txt") + srv.hits("/r1") == 6
    assert result.status == 200


async def test_global_concurrency_caps_requests_across_hosts(make_web):
    lock, counts = threading.Lock(), {"now": 0, "peak": 0}

    def counted(ctx) -> None:
        with lock:
            counts["now"] += 1
            counts["peak"] = max(counts["peak"], counts["now"])
        try:
            slow(0.1, page(HTML))(ctx)
        finally:
            with lock:
                counts["now"] -= 1

    routes = {"/robots.txt": robots_route(""), **{f"/p{i}": counted for i in range(4)}}
    with serve(routes) as one, serve(routes, host="127.0.0.2") as two:
        web = make_web(global_concurrency=1, page_cache=False, allow_private_hosts=["127.0.0.1", "127.0.0.2"])
        await asyncio.gather(*(web.fetch(srv.url(f"/p{i}")) for srv in (one, two) for i in range(4)))
        assert one.hits("/p0") == two.hits("/p0") == 1
    assert counts["peak"] == 1


async def test_retries_keep_the_per_host_delay(make_web):
    busy = page("busy", 503, headers={"Retry-After": "0"})
    with serve({"/robots.txt": robots_route(""), "/": sequence(busy, busy, page(HTML))}) as srv:
        await make_web(per_host_delay=0.3, fetch_retries=2, page_cache=False).fetch(srv.url("/"))
        starts = [r.started for r in srv.requests]
    assert len(starts) == 4  # robots.txt, two 503s, the page
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.2  # jitter allowance
