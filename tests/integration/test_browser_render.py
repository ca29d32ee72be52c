"""JavaScript-only pages are rendered in Debian chromium, with sub-requests guarded and proxied."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psutil
import pytest

from core.errors import FetchError
from tests.conftest import IN_CI
from tests.fixtures.web.proxy import forward_proxy
from tests.fixtures.web.server import page, redirect, serve
from tools.web.browser import CHROMIUM_CANDIDATES
from tools.web.fetcher import WebFetcher

pytestmark = pytest.mark.browser

TEXT = "Acme builds payroll software for restaurants. " * 10

APP = """<html><head><title>Acme</title></head><body><div id="root"></div>
<script>
fetch('/data.json').then(r => r.json()).then(d => {
  document.getElementById('root').innerHTML = '<h1>' + d.name + '</h1><p>' + d.about + '</p>';
});
</script></body></html>"""

PROBE = """<html><body><div id="app"></div><script>
const tries = [PROBES];
Promise.allSettled(tries.map(u => fetch(u))).then(() => {
  document.getElementById('app').innerHTML = '<p>' + 'Probed the network. '.repeat(20) + '</p>';
});
</script></body></html>"""


@pytest.fixture(params=CHROMIUM_CANDIDATES, ids=["headless-shell", "chromium"])
def settings(request, settings):
    """Every test runs on both Debian binaries: the headless shell (the default when installed)
    and the full chromium (the fallback)."""
    executable = request.param
    if not Path(executable).exists():
        if IN_CI:
            pytest.fail(f"{executable} missing (CI=true); `make install` installs it")
        pytest.skip(f"{executable} not installed")
    return settings.model_copy(update={"browser_executable": executable})


def data_route():
    return page(json.dumps({"name": "Acme Payroll", "about": TEXT}), content_type="application/json")


async def test_js_only_page_is_rendered_in_chromium(settings):
    with serve({"/": page(APP), "/data.json": data_route()}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/"))
        finally:
            await web.aclose()
        assert srv.hits("/data.json") == 1  # only the browser runs scripts
    assert result.fetched_with == "browser"
    assert "Acme Payroll" in result.html and "payroll software" in result.html
    assert web.counters.browser_renders == 1


async def test_browser_sub_requests_cannot_reach_unlisted_hosts(settings):
    # The allow-list names 127.0.0.1 only; "localhost" (same server) is private and unlisted.
    with serve({}) as srv:
        secret = f"http://localhost:{srv.port}/secret"
        probes = [secret, f"{srv.url('/bounce')}", "http://169.254.169.254/latest/meta-data/"]
        srv.routes.update({
            "/": page(PROBE.replace("PROBES", ",".join(f"'{p}'" for p in probes))),
            "/bounce": redirect(secret),
        })
        web = WebFetcher(settings.model_copy(update={"allow_private_hosts": ["127.0.0.1"],
                                                     "per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/"), render=True)
        finally:
            await web.aclose()
        assert srv.hits("/bounce") == 1  # allowed itself, but its redirect target is not
        assert srv.hits("/secret") == 0
    assert "Probed the network" in result.html
    assert web.browser is not None
    assert secret in web.browser.blocked_urls
    assert "http://169.254.169.254/latest/meta-data/" in web.browser.blocked_urls


async def test_navigation_redirects_are_followed_hop_by_hop(settings):
    with serve({"/start": redirect("/app"), "/app": page(APP), "/data.json": data_route()}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0, "page_cache": False}))
        try:
            result = await web.fetch(srv.url("/start"), render=True)
        finally:
            await web.aclose()
    assert result.final_url == srv.url("/app")
    assert "Acme Payroll" in result.html


async def test_browser_requests_go_through_the_proxy(settings):
    with serve({"/": page(APP), "/data.json": data_route()}) as srv, forward_proxy() as proxy:
        web = WebFetcher(settings.model_copy(update={"http_proxy": proxy.url, "per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/"))
        finally:
            await web.aclose()
        assert srv.url("/data.json") in proxy.forwarded  # requested by the page's script
        # httpx fetched the page; chromium rendered that same document instead of asking again.
        assert proxy.forwarded.count(srv.url("/")) == 1
    assert result.fetched_with == "browser" and "Acme Payroll" in result.html


CONTACT = """<html><head><title>Contact | Acme</title></head><body><main>
<h1>Contact Acme</h1><p>""" + TEXT + """</p>
<p>Write to us: <span id="m"></span><script>(function(){var p=["sales",["acme","example"]];
document.getElementById('m').textContent=p[0]+String.fromCharCode(64)+p[1].join('.');})();</script></p>
</main></body></html>"""

LATE = """<html><body><main><p>""" + TEXT + """</p><ul id="people"></ul></main><script>
setTimeout(function(){ fetch('/people.json').then(r => r.json()).then(d => {
  document.getElementById('people').innerHTML = d.map(p => '<li>' + p + '</li>').join('');
}); }, 50);
</script></body></html>"""


async def test_script_written_address_is_rendered_from_the_fetched_document(settings):
    with serve({"/contact": page(CONTACT)}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/contact"))
        finally:
            await web.aclose()
        assert srv.hits("/contact") == 1  # the browser got the document httpx had fetched
    assert result.fetched_with == "browser"
    assert "sales@acme.example" in result.html
    assert web.browser is not None and web.browser.documents_reused == 1


async def test_settle_waits_for_data_a_script_fetches_after_load(settings):
    with serve({"/": page(LATE), "/people.json": page(json.dumps(["Jane Roe", "John Doe"]),
                                                      content_type="application/json")}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            result = await web.fetch(srv.url("/"), render=True)
        finally:
            await web.aclose()
    assert "<li>Jane Roe</li><li>John Doe</li>" in result.html


async def test_tabs_are_reused_and_do_not_leak_between_sites(settings):
    one = "<html><body><p>" + TEXT + "</p><script>document.title='first';</script></body></html>"
    two = "<html><body><div id='root'></div><script>document.getElementById('root').textContent="
    two += "'second site ' + (window.firstSiteGlobal === undefined ? 'clean' : 'leaked');</script></body></html>"
    one = one.replace("</script>", "window.firstSiteGlobal = 1;</script>")
    with serve({"/one": page(one), "/two": page(two)}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            first = await web.fetch(srv.url("/one"), render=True)
            second = await web.fetch(srv.url("/two"), render=True)
            assert web.browser is not None and len(web.browser._idle) == 1  # one tab served both
        finally:
            await web.aclose()
    assert "<title>first</title>" in first.html
    assert "second site clean" in second.html


async def test_a_missing_page_is_an_http_error_and_the_tab_stays_usable(settings):
    with serve({"/app": page(APP), "/data.json": data_route()}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            with pytest.raises(FetchError) as caught:
                await web.fetch(srv.url("/nope"), render=True)
            after = await web.fetch(srv.url("/app"), render=True)
        finally:
            await web.aclose()
    assert caught.value.kind == "http_404"
    assert "Acme Payroll" in after.html


def _driver_processes(parent: psutil.Process) -> list[psutil.Process]:
    return [p for p in parent.children() if "node" in p.name()]


async def test_the_playwright_driver_runs_with_its_heap_capped(settings, monkeypatch):
    monkeypatch.setenv("NODE_OPTIONS", "--trace-warnings")
    with serve({"/": page(APP), "/data.json": data_route()}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0}))
        try:
            await web.fetch(srv.url("/"))
            [driver] = _driver_processes(psutil.Process())
            options = driver.environ()["NODE_OPTIONS"].split()
        finally:
            await web.aclose()
    assert "--trace-warnings" in options  # the user's own options are kept
    assert "--max-semi-space-size=1" in options and any(o.startswith("--max-old-space-size=") for o in options)
    assert os.environ["NODE_OPTIONS"] == "--trace-warnings"  # this process's environment is untouched


async def test_a_killed_driver_is_replaced_on_the_next_render(settings):
    with serve({"/": page(APP), "/data.json": data_route()}) as srv:
        web = WebFetcher(settings.model_copy(update={"per_host_delay": 0.0, "page_cache": False}))
        try:
            await web.fetch(srv.url("/"), render=True)
            [driver] = _driver_processes(psutil.Process())
            driver.kill()
            driver.wait(10)
            with pytest.raises(FetchError):  # the render under way when the driver died fails...
                await web.fetch(srv.url("/"), render=True)
            again = await web.fetch(srv.url("/"), render=True)  # ...and the next one has a new driver
            [new_driver] = _driver_processes(psutil.Process())
        finally:
            await web.aclose()
    assert new_driver.pid != driver.pid
    assert "Acme Payroll" in again.html
