"""The research deadline bounds one company however its host misbehaves: a real local server whose
pages hang or drip, read through the product's WebFetcher with per-request timeouts far longer
than the deadline."""

from __future__ import annotations

import asyncio

from agents.researcher import research
from tests.fixtures.web.server import drip, hang, page, serve
from tools.web.fetcher import WebFetcher

HOME = """<html><head><title>Acme Payroll</title></head><body>
<nav><a href="/team">Team</a> <a href="/about">About</a></nav>
<p>Acme builds payroll software for restaurants. We are a team of 12 in Berlin, Germany.</p>
</body></html>"""
ABOUT = "<html><body><h1>About</h1><p>Founded in 2019.</p></body></html>"


async def _research(settings, routes, deadline: float):
    """Researches the site served from ``routes`` with the given deadline; returns (lead, server).
    Each request may take 30 s and is retried twice: only the deadline can stop this early."""
    with serve(routes) as srv:
        fetcher = WebFetcher(settings.model_copy(update={
            "per_host_delay": 0.0, "fetch_timeout": 30.0, "fetch_retries": 2, "browser": False,
            "page_cache": False,
        }))
        try:
            lead = await asyncio.wait_for(research(srv.url("/"), fetcher, deadline=deadline), timeout=20)
        finally:
            await fetcher.aclose()
    return lead, srv


async def test_a_hanging_page_costs_the_deadline_and_the_rest_is_kept(settings):
    routes = {"/": page(HOME), "/about": page(ABOUT), "/team": hang(), "/sitemap.xml": page("", 404),
              "/robots.txt": page("User-agent: *\nAllow: /\n", content_type="text/plain")}
    lead, srv = await _research(settings, routes, deadline=2.0)
    assert lead.status is None
    assert srv.url("/about") in lead.company.pages and srv.url("/team") not in lead.company.pages
    assert lead.company.team_size == 12


async def test_a_home_page_that_drips_forever_is_an_error_line(settings):
    routes = {"/": drip(every=0.2, total=10_000), "/robots.txt": page("", 404)}
    lead, _ = await _research(settings, routes, deadline=1.5)
    assert lead.status == "error"
    assert lead.error == "timeout: the site was not read within the 1.5 s research deadline"
