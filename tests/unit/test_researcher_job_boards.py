"""The researcher reads the one job board a careers page (or the home page) points to: through the
fetcher, as one page of the budget, within the company's deadline, and never failing the lead."""

from __future__ import annotations

import asyncio
import json

from agents.researcher import research
from core.errors import BlockedByRobots, FetchError
from tools.web.types import Page

SITE = "https://acme.example"
GREENHOUSE_API = "https://boards-api.greenhouse.io/v1/boards/acme/jobs"
LEVER_API = "https://api.lever.co/v0/postings/acme?mode=json"
HOME = """<html><head><title>Acme</title></head><body><nav>
<a href="/about">About</a> <a href="/team">Team</a> <a href="/contact">Contact</a>
<a href="/careers">Careers</a> <a href="/blog">Blog</a></nav>
<p>Acme builds payroll software for restaurants. We are a team of 12 in Berlin.</p></body></html>"""
CAREERS = """<html><body><h1>Careers</h1>
<h3>Senior Backend Engineer</h3><p>Berlin</p>
<div id="grnhse_app"></div><script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>
</body></html>"""
BOARD = json.dumps({"jobs": [
    {"id": 1, "internal_job_id": 11, "title": "Senior Backend Engineer", "updated_at": "2026-01-14T10:55:28-05:00",
     "requisition_id": "50", "location": {"name": "Berlin"},
     "absolute_url": "https://boards.greenhouse.io/acme/jobs/1", "metadata": None},
    {"id": 2, "internal_job_id": 12, "title": "Product Designer", "updated_at": "2026-01-14T10:55:28-05:00",
     "requisition_id": "51", "location": {"name": "Remote"},
     "absolute_url": "https://boards.greenhouse.io/acme/jobs/2", "metadata": None},
], "meta": {"total": 2}})


class SiteFetcher:
    """Serves a dict of pages (``fetch``) and text bodies (``fetch_text``); a value that is an
    exception is raised, an awaitable is awaited first. Records every URL asked for."""

    def __init__(self, site: dict[str, object], *, with_text: bool = True) -> None:
        self.site = site
        self.requested: list[str] = []
        if not with_text:
            self.fetch_text = None  # type: ignore[assignment]

    async def _body(self, url: str) -> str | None:
        self.requested.append(url)
        body = self.site.get(url)
        if isinstance(body, Exception):
            raise body
        if asyncio.iscoroutine(body):
            body = await body
        return body  # type: ignore[return-value]

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        body = await self._body(url)
        if body is None:
            return Page(url=url, final_url=url, status=404, html="")
        return Page(url=url, final_url=url, status=200, html=body)

    async def fetch_text(self, url: str) -> str:
        body = await self._body(url)
        if body is None:
            raise FetchError(f"HTTP 404 from {url}", kind="http_404", url=url)
        return body

    async def aclose(self) -> None:
        return None


def _site(**extra: object) -> dict[str, object]:
    site: dict[str, object] = {f"{SITE}/": HOME, f"{SITE}/careers": CAREERS, GREENHOUSE_API: BOARD}
    for path in ("about", "team", "contact", "blog"):
        site[f"{SITE}/{path}"] = f"<html><body><h1>{path}</h1><p>{path} text of Acme.</p></body></html>"
    site.update(extra)
    return site


def _pages_read(fetcher: SiteFetcher) -> list[str]:
    return [u for u in fetcher.requested if u.startswith(SITE) and not u.endswith("/sitemap.xml")]


async def test_roles_from_the_embedded_board_join_the_careers_page():
    fetcher = SiteFetcher(_site())
    lead = await research(SITE, fetcher)
    company = lead.company
    assert lead.status is None and lead.error is None
    assert company.open_roles == ["Senior Backend Engineer", "Product Designer"]
    assert company.is_hiring is True
    assert company.sources["open_roles"] == f"{SITE}/careers"  # the site said it first
    assert any(s.kind == "hiring" and s.source_url == GREENHOUSE_API and "Product Designer (Remote)" in s.text
               for s in company.signals)
    assert "Product Designer" in company.pages[GREENHOUSE_API]
    assert fetcher.requested.count(GREENHOUSE_API) == 1
    assert lead.result_line()["company"]["is_hiring"] is True


async def test_the_board_takes_one_page_of_the_budget():
    fetcher = SiteFetcher(_site())
    lead = await research(SITE, fetcher, page_budget=6, parallel=1)
    # plan: team, about, contact, careers, blog; careers shows the board, so blog's page goes to it
    assert _pages_read(fetcher) == [f"{SITE}/", f"{SITE}/team", f"{SITE}/about", f"{SITE}/contact",
                                    f"{SITE}/careers"]
    assert fetcher.requested[-1] == GREENHOUSE_API
    assert len([u for u in lead.company.pages if u.startswith(SITE)]) == 5
    assert "Product Designer" in lead.company.open_roles


async def test_a_board_seen_on_the_last_page_of_the_budget_is_not_read():
    fetcher = SiteFetcher(_site())
    lead = await research(SITE, fetcher, page_budget=5, parallel=1)
    assert _pages_read(fetcher)[-1] == f"{SITE}/careers"
    assert GREENHOUSE_API not in fetcher.requested
    assert lead.company.open_roles == ["Senior Backend Engineer"]


async def test_a_board_on_the_home_page_is_kept_a_page_from_the_start():
    home = HOME.replace('<a href="/careers">Careers</a>', '<a href="https://jobs.lever.co/acme">Careers</a>')
    lever = json.dumps([{"id": "a1", "text": "Data Engineer", "categories": {"location": "Berlin"},
                         "hostedUrl": "https://jobs.lever.co/acme/a1"}])
    fetcher = SiteFetcher(_site(**{f"{SITE}/": home, LEVER_API: lever}))
    lead = await research(SITE, fetcher, page_budget=2)
    assert _pages_read(fetcher) == [f"{SITE}/"]
    assert LEVER_API in fetcher.requested
    assert lead.company.open_roles == ["Data Engineer"] and lead.company.sources["open_roles"] == LEVER_API


async def test_no_budget_left_means_no_board():
    fetcher = SiteFetcher(_site())
    lead = await research(SITE, fetcher, page_budget=1)
    assert GREENHOUSE_API not in fetcher.requested
    assert lead.company.open_roles == []


async def test_a_careers_page_that_redirects_to_the_board():
    class Redirecting(SiteFetcher):
        async def fetch(self, url: str, *, render: bool | None = None) -> Page:
            if url == f"{SITE}/careers":
                self.requested.append(url)
                return Page(url=url, final_url="https://jobs.lever.co/acme", status=200,
                            html="<html><body><a href='https://jobs.lever.co/acme/a1'>Data Engineer</a></body></html>")
            return await super().fetch(url, render=render)

    lever = json.dumps([{"id": "a1", "text": "Data Engineer", "categories": {"location": "Berlin"}}])
    fetcher = Redirecting(_site(**{LEVER_API: lever}))
    lead = await research(SITE, fetcher)
    assert lead.company.open_roles == ["Data Engineer"]
    assert "https://jobs.lever.co/acme" not in lead.company.pages  # off-site pages stay out


async def test_a_page_listing_several_boards_is_not_the_companys_board():
    portfolio = HOME.replace("</nav>", '</nav><a href="https://jobs.lever.co/alpha">Alpha jobs</a>'
                                       '<a href="https://boards.greenhouse.io/beta">Beta jobs</a>')
    fetcher = SiteFetcher(_site(**{f"{SITE}/": portfolio, f"{SITE}/careers": "<html><body>Join us</body></html>"}))
    await research(SITE, fetcher)
    assert not [u for u in fetcher.requested if "lever" in u or "greenhouse" in u]


async def test_a_board_that_fails_never_fails_the_lead():
    failures = [
        FetchError("HTTP 404 from board", kind="http_404", url=GREENHOUSE_API),
        BlockedByRobots("robots.txt disallows /v1/", url=GREENHOUSE_API),
        FetchError("timed out after 10s", kind="timeout", url=GREENHOUSE_API),
        "<html><body>Board not found</body></html>",
        json.dumps({"error": "not found"}),
    ]
    for failure in failures:
        fetcher = SiteFetcher(_site(**{GREENHOUSE_API: failure}))
        lead = await research(SITE, fetcher)
        assert lead.status is None and lead.error is None, failure
        assert lead.company.open_roles == ["Senior Backend Engineer"], failure  # the site's own
        assert GREENHOUSE_API not in lead.company.pages


async def test_a_fetcher_without_fetch_text_reads_the_board_as_a_page():
    fetcher = SiteFetcher(_site(), with_text=False)
    lead = await research(SITE, fetcher)
    assert "Product Designer" in lead.company.open_roles


async def test_a_hanging_board_costs_no_more_than_the_deadline():
    never = asyncio.Event()
    fetcher = SiteFetcher(_site(**{GREENHOUSE_API: never.wait()}))
    lead = await asyncio.wait_for(research(SITE, fetcher, deadline=0.5), timeout=5)
    assert lead.status is None and lead.company.open_roles == ["Senior Backend Engineer"]
    assert GREENHOUSE_API in fetcher.requested
