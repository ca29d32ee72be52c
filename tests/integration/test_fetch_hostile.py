"""HttpFetcher against hosts that misbehave on purpose (real local servers): each costs bounded
time and memory and ends in a FetchError whose kind says why; SSRF tricks never connect."""

from __future__ import annotations

import asyncio
import functools
import gzip
import itertools
import time
import tracemalloc
import zlib
from collections.abc import Awaitable
from typing import TypeVar

import pytest

from core.errors import FetchError, UnsafeURL
from tests.fixtures.web.proxy import forward_proxy
from tests.fixtures.web.server import (
    drip_headers,
    encoded,
    endless_chunked,
    forever,
    page,
    raw,
    redirect,
    reset,
    sequence,
    serve,
)
from tools.web.http import HttpFetcher

HTML = "<html><body><h1>Acme</h1></body></html>"
MiB = 1024 * 1024
T = TypeVar("T")


@pytest.fixture
def make_fetcher(make_fetcher):
    """The shared factory (tests/integration/conftest.py), without retries unless a test asks."""
    return functools.partial(make_fetcher, fetch_retries=0)


async def bounded(call: Awaitable[T], seconds: float) -> T:
    """Fails the test (instead of hanging it) when ``call`` outlives a generous upper bound."""
    try:
        return await asyncio.wait_for(call, seconds)
    except TimeoutError:
        pytest.fail(f"still running after {seconds}s: the guard does not bound this host")


async def fetch_error(call: Awaitable[object], seconds: float) -> FetchError:
    with pytest.raises(FetchError) as info:
        await bounded(call, seconds)
    return info.value


# --- time ---------------------------------------------------------------------------------

async def test_headers_dripping_forever_cost_one_deadline_per_attempt(make_fetcher):
    # One byte every 0.1 s: each read is far inside any read timeout, the headers never end.
    with serve({"/": drip_headers(every=0.1)}) as srv:
        fetcher = make_fetcher(fetch_timeout=0.5, fetch_retries=1)
        started = time.monotonic()
        error = await fetch_error(fetcher.fetch(srv.url("/")), 10)
        elapsed = time.monotonic() - started
        assert srv.hits("/") == 2
    assert error.kind == "timeout"
    assert elapsed < 2 * 0.5 + 2  # two attempts of one deadline each, plus generous slack


async def test_a_name_lookup_that_never_returns_has_a_deadline(make_fetcher, monkeypatch):
    # DNS is the outside system here: a resolver that never answers.
    async def stuck_resolve(host: str, url: str = ""):
        await asyncio.sleep(3600)

    monkeypatch.setattr("tools.web.netguard.resolve", stuck_resolve)
    error = await fetch_error(make_fetcher(fetch_timeout=0.3).fetch("http://slow-dns.example/"), 5)
    assert error.kind == "dns"


# --- memory -------------------------------------------------------------------------------

def deflate(data_size: int, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MiB)
    return b"".join([packer.compress(block) for _ in range(data_size // MiB)] + [packer.flush()])


BOMBS = {
    "gzip": lambda: deflate(64 * MiB, 31),
    "deflate": lambda: deflate(64 * MiB, 15),
    "x-gzip": lambda: deflate(64 * MiB, 31),
    "gzip, gzip": lambda: gzip.compress(deflate(128 * MiB, 31)),  # 1 kB -> 128 kB -> 128 MiB
}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("encoding", list(BOMBS))
async def test_decompression_bombs_are_cut_at_the_decoded_cap(make_fetcher, encoding: str, chunked: bool):
    # Under 200 kB on the wire, 64 MiB or more decoded: the cap must count decoded bytes, and
    # stop decoding right there rather than after a whole network chunk has been inflated.
    bomb = BOMBS[encoding]()
    assert len(bomb) < 200_000
    with serve({"/": encoded(bomb, encoding, chunked=chunked)}) as srv:
        fetcher = make_fetcher(fetch_max_bytes=200_000)
        tracemalloc.start()
        try:
            error = await fetch_error(fetcher.fetch(srv.url("/")), 10)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.kind == "too_large"
    assert peak < 8 * MiB, f"decoding held {peak / MiB:.0f} MiB at once"


async def test_a_bomb_behind_robots_txt_is_truncated_not_inflated(make_fetcher):
    with serve({"/robots.txt": encoded(deflate(64 * MiB, 31), "gzip")}) as srv:
        text = await bounded(make_fetcher().fetch_text(srv.url("/robots.txt"), max_bytes=1000, truncate=True), 10)
    assert text == "\0" * 1000


async def test_compressed_pages_are_decoded(make_fetcher):
    body = HTML.encode() * 100
    routes = {"/gz": encoded(gzip.compress(body), "gzip"), "/zlib": encoded(zlib.compress(body), "deflate"),
              "/raw": encoded(zlib.compress(body)[2:-4], "deflate"),  # deflate without its zlib header
              "/two": encoded(gzip.compress(gzip.compress(body) + gzip.compress(body)), "gzip, gzip", chunked=True)}
    with serve(routes) as srv:
        fetcher = make_fetcher()
        pages = [await fetcher.fetch(srv.url(path)) for path in ("/gz", "/zlib", "/raw")]
        two_members = await fetcher.fetch(srv.url("/two"))  # two gzip members, one after the other
    assert all(p.html == body.decode() for p in pages)
    assert two_members.html == body.decode() * 2
    assert "zstd" not in srv.requests[0].headers["Accept-Encoding"]


@pytest.mark.parametrize("encoding", ["zstd", "br", "compress", "gzip, gzip, gzip"])
async def test_codings_we_did_not_ask_for_are_refused_not_retried(make_fetcher, encoding: str):
    with serve({"/": encoded(b"\x28\xb5\x2f\xfd" + bytes(64), encoding)}) as srv:
        error = await fetch_error(make_fetcher(fetch_retries=2).fetch(srv.url("/")), 10)
        assert srv.hits("/") == 1
    assert error.kind == "bad_encoding"


async def test_a_corrupt_gzip_body_is_a_decoding_error(make_fetcher):
    with serve({"/": encoded(b"\x1f\x8b\x08\x00" + bytes(range(200)), "gzip")}) as srv:
        error = await fetch_error(make_fetcher().fetch(srv.url("/")), 10)
    assert error.kind == "decoding"


async def test_an_endless_chunked_body_is_cut_at_the_cap(make_fetcher):
    with serve({"/": endless_chunked()}) as srv:
        error = await fetch_error(make_fetcher(fetch_max_bytes=500_000, fetch_timeout=10).fetch(srv.url("/")), 15)
        assert srv.done["/"].wait(10)
    assert error.kind == "too_large"
    assert srv.bytes_sent["/"] < 64 * MiB  # we stopped; the server only filled socket buffers


async def test_a_content_length_that_understates_reads_only_what_it_declared(make_fetcher):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(HTML)
    body = itertools.chain([HTML.encode()], forever(b"x" * 65536))  # and then it never stops
    with serve({"/": raw(head, body)}) as srv:
        result = await bounded(make_fetcher(fetch_max_bytes=100_000).fetch(srv.url("/")), 10)
    assert result.html == HTML


async def test_a_content_length_that_overstates_is_a_broken_connection(make_fetcher):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
    with serve({"/": raw(head, [HTML.encode()])}) as srv:  # then the server closes
        error = await fetch_error(make_fetcher(fetch_retries=1).fetch(srv.url("/")), 10)
        assert srv.hits("/") == 2  # a transient network failure: retried once
    assert error.kind == "network"


# --- retries ------------------------------------------------------------------------------

async def test_a_connection_reset_is_retried(make_fetcher):
    with serve({"/": sequence(reset(), page(HTML))}) as srv:
        result = await bounded(make_fetcher(fetch_retries=1).fetch(srv.url("/")), 10)
        assert srv.hits("/") == 2
    assert "Acme" in result.html


@pytest.mark.parametrize("status", [429, 503])
async def test_a_retry_after_beyond_the_cap_gives_up_at_once(make_fetcher, status: int):
    # Retrying sooner than asked is impolite; waiting an hour is unbounded: neither.
    with serve({"/": page("busy", status, headers={"Retry-After": "3600"})}) as srv:
        error = await fetch_error(make_fetcher(fetch_retries=3).fetch(srv.url("/")), 10)
        assert srv.hits("/") == 1
    assert error.kind == f"http_{status}" and "3600s" in str(error)


@pytest.mark.parametrize("status", [400, 403, 410])
async def test_client_errors_are_never_retried(make_fetcher, status: int):
    with serve({"/": page("no", status)}) as srv:
        error = await fetch_error(make_fetcher(fetch_retries=3).fetch(srv.url("/")), 10)
        assert srv.hits("/") == 1
    assert error.kind == f"http_{status}"


# --- SSRF ---------------------------------------------------------------------------------

LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://0177.0.0.1:{port}/",
    "http://0x7f.0.0.1:{port}/", "http://0x7f000001:{port}/", "http://127.1:{port}/",
    "http://017700000001:{port}/", "http://[::1]:{port}/", "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/", "http://0.0.0.0:{port}/", "http://0:{port}/",
    "http://localhost:{port}/", "http://LOCALHOST.:{port}/",  # names that resolve to loopback
]
OTHER_UNSAFE = [
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fd12:3456::1]/",
    "http://[fe80::1%25eth0]/", "http://10.0.0.1/", "http://[2002:7f00:1::]/", "http://1.2.3.4.5/",
    "gopher://127.0.0.2/", "ftp://127.0.0.2/", "file:///etc/passwd", "data:text/html,<h1>x</h1>",
    "javascript:alert(1)",
]


@pytest.fixture
def victim():
    """A private service on 127.0.0.1 that no fetch may reach: the tests allow only 127.0.0.2."""
    with serve({"/": page("<html><body>internal admin</body></html>")}) as srv:
        yield srv


@pytest.mark.parametrize("target", LOOPBACK_SPELLINGS + OTHER_UNSAFE)
async def test_redirects_to_private_spellings_are_refused_and_not_retried(make_fetcher, victim, target: str):
    target = target.format(port=victim.port)
    with serve({"/go": redirect(target)}, host="127.0.0.2") as srv:
        fetcher = make_fetcher(allow_private_hosts=["127.0.0.2"], fetch_retries=2)
        error = await fetch_error(fetcher.fetch(srv.url("/go")), 10)
        # httpx itself rejects some spellings (0177.0.0.1) in a Location header: invalid, not retried
        assert error.kind in ("unsafe_url", "invalid_url"), error
        with pytest.raises(UnsafeURL):
            await bounded(fetcher.fetch(target), 10)  # and asked for directly
        assert srv.hits("/go") == 1
    assert victim.requests == []


@pytest.mark.parametrize("target", LOOPBACK_SPELLINGS)
async def test_numeric_spellings_of_private_addresses_are_refused_with_a_proxy(settings, victim, target: str):
    # The proxy resolves names, and a resolver reads "2130706433" or "0x7f.1" as 127.0.0.1.
    target = target.format(port=victim.port)
    with forward_proxy() as proxy:
        fetcher = HttpFetcher(settings.model_copy(update={"http_proxy": proxy.url, "allow_private_hosts": []}))
        try:
            with pytest.raises(UnsafeURL):
                await bounded(fetcher.fetch(target), 10)
        finally:
            await fetcher.aclose()
        assert proxy.forwarded == []
    assert victim.requests == []
