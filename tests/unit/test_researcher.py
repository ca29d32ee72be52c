"""The researcher over an in-memory site (a test double of the fetcher; extraction and planning are real)."""

from pathlib import Path

from agents.researcher import normalise_url, research
from core.errors import BlockedByRobots, FetchError
from tools.web.types import Page

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "northwind"
NW = "https://northwind-labs.io"


class DictFetcher:
    """Serves fixture pages from a dict; a value that is an exception is raised instead."""

    def __init__(self, site: dict[str, str | Exception]) -> None:
        self.site = site
        self.requested: list[str] = []

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        self.requested.append(url)
        body = self.site.get(url)
        if isinstance(body, Exception):
            raise body
        if body is None:
            return Page(url=url, final_url=url, status=404, html="")
        return Page(url=url, final_url=url, status=200, html=body)

    async def aclose(self) -> None:
        return None


def _site() -> dict[str, str | Exception]:
    return {
        f"{NW}/": (PAGES / "home.html").read_text(),
        f"{NW}/about": (PAGES / "about.html").read_text(),
        f"{NW}/team": BlockedByRobots("disallowed", url=f"{NW}/team"),
        f"{NW}/careers": (PAGES / "careers.html").read_text(),
        f"{NW}/blog/": (PAGES / "blog.html").read_text(),
        f"{NW}/sitemap.xml": (PAGES / "sitemap.xml").read_text(),
    }


async def test_research_builds_lead_despite_blocked_team_page():
    fetcher = DictFetcher(_site())
    lead = await research("northwind-labs.io", fetcher, index=3)
    assert lead.status is None and lead.error is None and lead.index == 3
    assert lead.url == "northwind-labs.io"
    company = lead.company
    assert company.domain == "northwind-labs.io"
    assert company.name == "Northwind Labs"
    assert company.country == "United States"
    assert company.team_size == 35
    assert company.is_hiring is True and "Senior Backend Engineer" in company.open_roles
    assert set(company.pages) == {f"{NW}/", f"{NW}/about", f"{NW}/careers", f"{NW}/blog/"}
    assert f"{NW}/team" in fetcher.requested  # tried, refused by robots, not fatal
    assert fetcher.requested.index(f"{NW}/team") < fetcher.requested.index(f"{NW}/about")
    assert any(c.email == "jobs@northwind-labs.io" and c.email_status == "role" for c in lead.contacts)
    assert "ignore all previous instructions" not in lead.model_dump_json()


async def test_page_budget_limits_fetches():
    fetcher = DictFetcher(_site())
    lead = await research(f"{NW}/", fetcher, page_budget=2)
    assert len(lead.company.pages) == 2
    assert f"{NW}/blog/" not in fetcher.requested


async def test_home_failure_becomes_error_lead():
    fetcher = DictFetcher({f"{NW}/": FetchError("connect timeout", kind="timeout", url=f"{NW}/")})
    lead = await research(NW, fetcher, index=7)
    assert lead.status == "error" and lead.index == 7
    assert lead.error == "timeout: connect timeout"
    assert lead.company is None


async def test_home_404_becomes_error_lead():
    lead = await research("https://gone.example.com", DictFetcher({}))
    assert lead.status == "error" and lead.error.startswith("http_404")


def test_normalise_url_keeps_given_scheme():
    assert normalise_url("acme.com") == "https://acme.com/"
    assert normalise_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/"
    assert normalise_url("https://acme.com/en/") == "https://acme.com/en/"
