"""HttpFetcher against a real local server: deadlines, size cap, redirects, SSRF, retries."""

from __future__ import annotations

import asyncio
import time

import pytest

from core.errors import FetchError, UnsafeURL
from tests.fixtures.web.server import (
    drip,
    endless_body,
    hang,
    page,
    redirect,
    sequence,
    serve,
    slow,
)
from tools.web.http import HttpFetcher

HTML = "<html><body><h1>Acme</h1></body></html>"


async def test_fetches_html_and_decodes_charset(make_fetcher):
    body = "<html><body>Café</body></html>".encode("latin-1")
    with serve({"/": page(body, content_type="text/html; charset=iso-8859-1")}) as srv:  # type: ignore[arg-type]
        result = await make_fetcher().fetch(srv.url("/"))
    assert result.status == 200 and "Café" in result.html and result.fetched_with == "httpx"
    assert srv.requests[0].headers["User-Agent"].startswith("leadgen-bot/")


async def test_hanging_server_times_out_and_timeouts_are_retried(make_fetcher):
    with serve({"/": hang()}) as srv:
        fetcher = make_fetcher(fetch_timeout=0.3, fetch_retries=1)
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            await asyncio.wait_for(fetcher.fetch(srv.url("/")), 10)
        elapsed = time.monotonic() - started
        assert srv.hits("/") == 2
    assert info.value.kind == "timeout"
    assert elapsed < 2 * 0.3 + 2  # an upper bound (two attempts, generous slack), not a speed test


async def test_slow_drip_body_is_cut_by_the_total_deadline(make_fetcher):
    # Each chunk arrives well within a read timeout; only a whole-request deadline stops it.
    with serve({"/": drip(every=0.05, total=10_000)}) as srv:
        fetcher = make_fetcher(fetch_timeout=0.5, fetch_retries=1)
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            await asyncio.wait_for(fetcher.fetch(srv.url("/")), 10)
        elapsed = time.monotonic() - started
        assert srv.hits("/") == 2
    assert info.value.kind == "timeout"
    assert elapsed < 2 * 0.5 + 2


async def test_large_body_without_length_is_aborted_early(make_fetcher):
    total = 64 * 1024 * 1024
    with serve({"/big": endless_body(total)}) as srv:
        fetcher = make_fetcher(fetch_max_bytes=200_000, fetch_retries=0, fetch_timeout=10)
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(srv.url("/big"))
        assert srv.done["/big"].wait(10)
    assert info.value.kind == "too_large"
    # We stopped reading near the cap; the server could only push what socket buffers hold.
    assert srv.bytes_sent["/big"] < total // 4


async def test_declared_oversize_is_refused_before_reading(make_fetcher):
    with serve({"/": page("x" * 5000)}) as srv:
        with pytest.raises(FetchError) as info:
            await make_fetcher(fetch_max_bytes=1000).fetch(srv.url("/"))
    assert info.value.kind == "too_large"


async def test_redirects_are_followed_and_reported(make_fetcher):
    with serve({"/old": redirect("/mid"), "/mid": redirect("/new", 301), "/new": page(HTML)}) as srv:
        result = await make_fetcher().fetch(srv.url("/old"))
    assert result.url.endswith("/old") and result.final_url == srv.url("/new")


async def test_redirect_loop_is_too_many_redirects(make_fetcher):
    with serve({"/a": redirect("/b"), "/b": redirect("/a")}) as srv:
        with pytest.raises(FetchError) as info:
            await make_fetcher(fetch_max_redirects=3).fetch(srv.url("/a"))
        assert srv.hits("/a") + srv.hits("/b") == 4  # the first request plus 3 redirects
    assert info.value.kind == "too_many_redirects"


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
     "http://metadata.google.internal/", "file:///etc/passwd"],
)
async def test_redirect_to_unsafe_targets_is_refused(make_fetcher, target: str):
    with serve({"/go": redirect(target)}) as srv:
        with pytest.raises(UnsafeURL):
            await make_fetcher().fetch(srv.url("/go"))


async def test_loopback_outside_the_allow_list_is_refused(settings):
    with serve({"/": page(HTML)}) as srv:
        fetcher = HttpFetcher(settings.model_copy(update={"allow_private_hosts": []}))
        try:
            with pytest.raises(UnsafeURL):
                await fetcher.fetch(srv.url("/"))
            assert srv.requests == []
        finally:
            await fetcher.aclose()


async def test_metadata_ip_and_other_schemes_are_refused(make_fetcher):
    fetcher = make_fetcher()
    for url in ("http://169.254.169.254/latest/meta-data/iam", "ftp://127.0.0.1/", "file:///etc/hosts"):
        with pytest.raises(UnsafeURL):
            await fetcher.fetch(url)


async def test_retries_503_then_succeeds(make_fetcher):
    flaky = sequence(page("busy", 503), page("busy", 503), page(HTML))
    with serve({"/": flaky}) as srv:
        result = await make_fetcher(fetch_retries=2).fetch(srv.url("/"))
        assert srv.hits("/") == 3
    assert "Acme" in result.html


async def test_429_honours_retry_after(make_fetcher):
    limited = sequence(page("slow down", 429, headers={"Retry-After": "1"}), page(HTML))
    with serve({"/": limited}) as srv:
        await make_fetcher(fetch_retries=1).fetch(srv.url("/"))
        first, second = srv.requests
    assert second.started - first.started >= 0.9


async def test_404_is_not_retried(make_fetcher):
    with serve({}) as srv:
        with pytest.raises(FetchError) as info:
            await make_fetcher(fetch_retries=3).fetch(srv.url("/missing"))
        assert srv.hits("/missing") == 1
    assert info.value.kind == "http_404"


async def test_500_gives_its_status_kind(make_fetcher):
    with serve({"/": page("oops", 500)}) as srv:
        with pytest.raises(FetchError) as info:
            await make_fetcher(fetch_retries=2).fetch(srv.url("/"))
        assert srv.hits("/") == 1
    assert info.value.kind == "http_500"


async def test_non_html_is_refused_for_pages_but_fetch_text_reads_it(make_fetcher):
    routes = {"/doc.pdf": page("%PDF-1.4", content_type="application/pdf"),
              "/robots.txt": page("User-agent: *\nDisallow:\n", content_type="text/plain")}
    with serve(routes) as srv:
        fetcher = make_fetcher()
        with pytest.raises(FetchError) as info:
            await fetcher.fetch(srv.url("/doc.pdf"))
        assert info.value.kind == "not_html"
        assert "User-agent" in await fetcher.fetch_text(srv.url("/robots.txt"))


async def test_fetch_text_truncates_instead_of_failing(make_fetcher):
    with serve({"/robots.txt": page("a" * 10_000, content_type="text/plain")}) as srv:
        text = await make_fetcher().fetch_text(srv.url("/robots.txt"), max_bytes=1000, truncate=True)
    assert len(text) == 1000


async def test_connection_refused_is_a_connect_error(make_fetcher):
    with serve({}) as srv:
        port = srv.port
    with pytest.raises(FetchError) as info:
        await make_fetcher(fetch_retries=1).fetch(f"http://127.0.0.1:{port}/")
    assert info.value.kind == "connect"


async def test_slow_but_in_time_response_succeeds(make_fetcher):
    with serve({"/": slow(0.2, page(HTML))}) as srv:
        result = await make_fetcher(fetch_timeout=3).fetch(srv.url("/"))
    assert "Acme" in result.html
