"""The sample web served for real on 127.0.0.1 and read through it as an HTTP proxy."""

from __future__ import annotations

import http.client
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from sampleweb.server import SampleWeb
from sampleweb.truth import site_truth

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def web():
    with SampleWeb(port=0, slow_seconds=0.2) as server:
        yield server


@pytest.fixture
def client(web):
    with httpx.Client(proxy=web.proxy_url, timeout=10) as c:
        yield c


def test_sites_are_reachable_through_the_proxy(web, client):
    sites = web.sites()
    assert len(sites) >= 100
    for info in sites[::10]:
        truth = site_truth(info.domain)
        for url in truth["pages"]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"].startswith("text/html")
        if not truth["features"]["js_only"]:
            assert truth["one_liner"] in client.get(info.url).text
    assert client.get(web.url_for(sites[0].domain, "/no-such-page")).status_code == 404


def test_www_prefix_and_host_header_reach_the_same_site(web, client):
    domain = web.sites()[1].domain
    via_proxy = client.get(f"http://www.{domain}/").text
    with httpx.Client(timeout=10) as direct:
        by_host = direct.get(f"{web.proxy_url}/", headers={"Host": domain}).text
    assert via_proxy == by_host
    assert site_truth(domain)["name"] in by_host


def test_unknown_host_is_a_bad_gateway(client):
    response = client.get("http://example.com/")
    assert response.status_code == 502
    assert "not part of the sample web" in response.text


def test_connect_tunnels_are_refused(web):
    conn = http.client.HTTPConnection(web.host, web.port, timeout=5)
    conn.request("CONNECT", "example.com:443")
    assert conn.getresponse().status == 502
    conn.close()


def test_robots_and_sitemap(web, client):
    disallowing = [s for s in web.sites() if "robots_disallow" in s.features]
    assert disallowing
    for info in disallowing[:5]:
        robots = client.get(web.url_for(info.domain, "/robots.txt")).text
        for rule in site_truth(info.domain)["features"]["robots_disallow"]:
            assert f"Disallow: {rule['path']}" in robots
    with_sitemap = [s for s in web.sites() if "no_sitemap" not in s.features][:5]
    for info in with_sitemap:
        locs = re.findall(
            r"<loc>(.*?)</loc>", client.get(web.url_for(info.domain, "/sitemap.xml")).text
        )
        assert locs and all(client.get(loc).status_code == 200 for loc in locs)


def test_js_only_page_is_an_empty_shell_over_http(web, client):
    info = next(s for s in web.sites() if "js_only" in s.features)
    html = client.get(info.url).text
    assert '<div id="root"></div>' in html and "enable JavaScript" in html
    assert site_truth(info.domain)["one_liner"] not in html


def test_same_bytes_from_two_servers(web, client):
    domain = web.sites()[5].domain
    first = client.get(web.url_for(domain)).content
    with SampleWeb(port=0) as other, httpx.Client(proxy=other.proxy_url) as c2:
        assert c2.get(other.url_for(domain)).content == first


def test_trap_hosts(web, client):
    assert client.get("http://slow.trap.test/").status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        client.get("http://hang.trap.test/", timeout=httpx.Timeout(5, read=0.5))
    with pytest.raises(httpx.TooManyRedirects):
        client.get("http://loop.trap.test/", follow_redirects=True)
    assert client.get("http://error.trap.test/anything").status_code == 500
    first, second = (
        client.get("http://ratelimit.trap.test/p"),
        client.get("http://ratelimit.trap.test/p"),
    )
    assert (first.status_code, first.headers["retry-after"], second.status_code) == (429, "1", 200)
    assert client.get("http://robots503.trap.test/robots.txt").status_code == 503
    assert client.get("http://robots503.trap.test/").status_code == 200


def test_huge_trap_streams_past_50_megabytes_without_length(client):
    received = 0
    with client.stream("GET", "http://huge.trap.test/") as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            received += len(chunk)
    assert received > 50 * 1024 * 1024


def test_many_concurrent_keep_alive_connections(web):
    domains = [s.domain for s in web.sites()[:40]]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(proxy=web.proxy_url, limits=limits, timeout=20) as shared:

        def fetch(i: int) -> int:
            return shared.get(web.url_for(domains[i % len(domains)])).status_code

        with ThreadPoolExecutor(max_workers=48) as pool:
            statuses = list(pool.map(fetch, range(600)))
    assert statuses.count(200) == 600


def test_idle_connections_do_not_block_others(web, client):
    idle = [socket.create_connection((web.host, web.port)) for _ in range(30)]
    try:
        assert client.get(web.sites()[0].url).status_code == 200
    finally:
        for sock in idle:
            sock.close()


def test_latency_option_delays_but_serves():
    with SampleWeb(port=0, latency_ms=20) as slow_web, httpx.Client(proxy=slow_web.proxy_url) as c:
        assert c.get(slow_web.sites()[0].url).status_code == 200


def test_hanging_request_does_not_block_shutdown():
    server = SampleWeb(port=0).start()
    done = threading.Event()

    def hang() -> None:
        try:
            with httpx.Client(proxy=server.proxy_url, timeout=30) as c:
                c.get("http://hang.trap.test/")
        except httpx.HTTPError:
            pass
        done.set()

    thread = threading.Thread(target=hang, daemon=True)
    thread.start()
    with httpx.Client(proxy=server.proxy_url) as c:  # the server still answers others meanwhile
        assert c.get(server.sites()[0].url).status_code == 200
    server.close()
    assert done.wait(10)
