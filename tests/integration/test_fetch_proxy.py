"""Every outbound request goes through the configured proxy, and the guard still applies."""

from __future__ import annotations

import pytest

from core.errors import UnsafeURL
from tests.fixtures.web.proxy import forward_proxy
from tests.fixtures.web.server import page, serve
from tools.web.fetcher import WebFetcher

HTML = "<html><body><h1>Acme</h1><p>Widgets.</p></body></html>"


async def test_requests_go_through_the_proxy(settings):
    with serve({"/": page(HTML)}) as srv, forward_proxy() as proxy:
        web = WebFetcher(settings.model_copy(update={"http_proxy": proxy.url, "browser": False,
                                                     "per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/"))
        finally:
            await web.aclose()
        assert srv.url("/robots.txt") in proxy.forwarded
        assert srv.url("/") in proxy.forwarded
        assert srv.requests[-1].headers.get("User-Agent", "").startswith("leadgen-bot/")
    assert "Acme" in result.html


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
            "http://127.0.0.2/", "http://localhost/",
            # numbers a resolver (the proxy's) reads as 10.0.0.1 and 169.254.169.254
            "http://167772161/", "http://0xa9.0xfe.0xa9.0xfe/", "http://0251.0376.43518/",
            "http://[2002:a9fe:a9fe::]/"],
)
async def test_private_literals_are_refused_even_with_a_proxy(settings, url: str):
    with forward_proxy() as proxy:
        web = WebFetcher(settings.model_copy(update={"http_proxy": proxy.url, "browser": False,
                                                     "allow_private_hosts": ["127.0.0.1"]}))
        try:
            with pytest.raises(UnsafeURL):
                await web.fetch(url)
        finally:
            await web.aclose()
        assert proxy.forwarded == []
