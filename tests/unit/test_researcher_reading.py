"""How the researcher reads a site: pages in parallel (bounded), in plan order, within the page
budget, and in the browser throughout when the home page could only be read there."""

from __future__ import annotations

import asyncio

from agents.researcher import _plan, research
from core.errors import FetchError
from tools.web.types import Page

SITE = "https://acme.example"
HOME = """<html><head><title>Acme</title></head><body><nav>
<a href="/about">About</a> <a href="/team">Team</a> <a href="/contact">Contact</a>
<a href="/careers">Careers</a> <a href="/blog">Blog</a></nav>
<p>Acme builds payroll software for restaurants. We are a team of 12 in Berlin.</p></body></html>"""
TEAM = "<html><body><h1>Team</h1><p>Jane Roe, CEO. jane@acme.example</p></body></html>"


class GatedFetcher:
    """Serves pages from a dict, yielding to the loop inside each fetch so a test can see how many
    pages after the home page are in flight at once. Records (url, render) of each call."""

    def __init__(self, site: dict[str, str], *, home_with: str = "httpx") -> None:
        self.site = site
        self.home_with = home_with
        self.calls: list[tuple[str, bool | None]] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        self.calls.append((url, render))
        counted = url != f"{SITE}/" and not url.endswith("/sitemap.xml")  # pages after the home page
        self.in_flight += counted
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)  # let every task that can start, start
            await asyncio.sleep(0)
        finally:
            self.in_flight -= counted
        body = self.site.get(url)
        if body is None:
            raise FetchError(f"HTTP 404 from {url}", kind="http_404", url=url)
        with_ = self.home_with if url == f"{SITE}/" else ("browser" if render else "httpx")
        return Page(url=url, final_url=url, status=200, html=body, fetched_with=with_)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        return None


def _site() -> dict[str, str]:
    pages = {f"{SITE}/": HOME, f"{SITE}/team": TEAM}
    for path in ("about", "contact", "careers", "blog"):
        pages[f"{SITE}/{path}"] = f"<html><body><h1>{path}</h1><p>{path} text of Acme.</p></body></html>"
    return pages


def _page_calls(fetcher: GatedFetcher) -> list[tuple[str, bool | None]]:
    return [(u, r) for u, r in fetcher.calls if not u.endswith("/sitemap.xml")]


async def test_pages_are_read_two_at_a_time_and_kept_in_plan_order():
    fetcher = GatedFetcher(_site())
    lead = await research(SITE, fetcher, parallel=2)
    assert fetcher.max_in_flight == 2
    assert lead.status is None
    urls = [u for u, _ in _page_calls(fetcher)]
    assert urls[0] == f"{SITE}/"
    assert urls[1:] == _plan(f"{SITE}/", HOME, [])[: len(urls) - 1]  # started in plan order
    assert set(lead.company.pages) == set(_site())
    assert any(c.email == "jane@acme.example" for c in lead.contacts)


async def test_one_at_a_time_when_asked():
    fetcher = GatedFetcher(_site())
    await research(SITE, fetcher, parallel=1, page_budget=1)
    assert _page_calls(fetcher) == [(f"{SITE}/", None)]  # budget 1: the home page, no sitemap
    fetcher = GatedFetcher(_site())
    lead = await research(SITE, fetcher, parallel=1)
    assert lead.status is None
    assert fetcher.max_in_flight == 1


async def test_budget_holds_with_parallel_reads():
    fetcher = GatedFetcher(_site())
    lead = await research(SITE, fetcher, parallel=2, page_budget=3)
    assert len(lead.company.pages) == 3
    assert len(_page_calls(fetcher)) <= 3 + 1  # at most one read beyond the budget was in flight


async def test_site_whose_home_needed_the_browser_is_read_in_the_browser():
    fetcher = GatedFetcher(_site(), home_with="browser")
    await research(SITE, fetcher)
    calls = _page_calls(fetcher)
    assert calls[0] == (f"{SITE}/", None)  # the fetcher decided for the home page
    assert calls[1:] and all(render is True for _, render in calls[1:])


async def test_plain_html_site_leaves_the_decision_to_the_fetcher_per_page():
    fetcher = GatedFetcher(_site())
    await research(SITE, fetcher)
    assert all(render is None for _, render in _page_calls(fetcher))


class HangingFetcher(GatedFetcher):
    """A site whose ``hanging`` URLs never answer (a host that accepts and then says nothing)."""

    def __init__(self, site: dict[str, str], hanging: set[str]) -> None:
        super().__init__(site)
        self.hanging = hanging

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        if url in self.hanging:
            self.calls.append((url, render))
            await asyncio.Event().wait()
        return await super().fetch(url, render=render)


async def test_a_home_page_that_never_answers_is_an_error_lead_at_the_deadline():
    fetcher = HangingFetcher(_site(), {f"{SITE}/"})
    lead = await asyncio.wait_for(research(SITE, fetcher, deadline=0.2, index=4), timeout=10)
    assert lead.status == "error" and lead.index == 4
    assert lead.error.startswith("timeout:") and "0.2 s research deadline" in lead.error


async def test_past_the_deadline_the_pages_already_read_are_kept():
    site = _site()
    fetcher = HangingFetcher(site, {f"{SITE}/about"})
    lead = await asyncio.wait_for(research(SITE, fetcher, deadline=0.3), timeout=10)
    assert lead.status is None
    assert f"{SITE}/about" not in lead.company.pages
    assert f"{SITE}/team" in lead.company.pages  # read on the other slot while /about hung
    assert any(c.email == "jane@acme.example" for c in lead.contacts)


async def test_a_hanging_sitemap_still_leaves_the_home_page():
    fetcher = HangingFetcher(_site(), {f"{SITE}/sitemap.xml"})
    lead = await asyncio.wait_for(research(SITE, fetcher, deadline=0.2), timeout=10)
    assert lead.status is None
    assert list(lead.company.pages) == [f"{SITE}/"]
    assert lead.company.team_size == 12  # facts of the home page are still read


async def test_without_a_deadline_nothing_is_cut_short():
    fetcher = GatedFetcher(_site())
    lead = await research(SITE, fetcher, deadline=None)
    assert set(lead.company.pages) == set(_site())
