import io

import pytest

from core.errors import InvalidInput
from core.models import ICP
from tools.sources.company_sites import non_company_reason, site_root
from tools.sources.directory import company_links, listing_key, next_pages
from tools.sources.discovery import discover_companies, write_companies_file
from tools.sources.files import FileSource, parse_company_list, parse_company_records
from tools.sources.search import SearchResult, name_from_title, result_rejection
from tools.sources.search_queries import search_queries
from tools.sources.types import DiscoveredCompany


def test_records_carry_names_from_jsonl_and_csv():
    assert parse_company_records('{"name": "Acme", "website": "acme.com"}\n{"website": "b.io"}\n') == [
        ("acme.com", "Acme"), ("b.io", None)]
    assert parse_company_records("Company,Website\nAcme,acme.com\n,b.io\n") == [("acme.com", "Acme"), ("b.io", None)]
    assert parse_company_list("acme.com  # from a directory\n") == ["acme.com"]


async def test_file_source_dedupes_by_registrable_domain(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("acme.com\nhttps://www.acme.com/en\nshop.b.co.uk\nhttps://b.co.uk/\nmailto:x\n")
    found = [c async for c in FileSource(path).companies()]
    assert [(c.url, c.source) for c in found] == [("https://acme.com", "file"), ("https://shop.b.co.uk", "file")]
    assert found[0].evidence_url == path.resolve().as_uri()
    with pytest.raises(InvalidInput):
        [c async for c in FileSource(tmp_path / "missing.txt").companies()]


def test_non_company_links():
    assert non_company_reason("https://www.linkedin.com/company/acme") == "social"
    assert non_company_reason("https://apps.apple.com/app/id1") == "app store"
    assert non_company_reason("https://www.crunchbase.com/organization/acme") == "directory"
    assert non_company_reason("https://techcrunch.com/2024/01/01/x/") == "news"
    assert non_company_reason("https://acme.com/") is None
    assert site_root("https://WWW.Acme.com:443/about?x=1") == "https://www.acme.com/"
    assert site_root("ftp://acme.com/") is None


def test_pagination_detection_stays_on_one_listing():
    html = """<link rel="next" href="/list?page=3&sort=new">
    <a href="/list?sort=new&page=2">2</a> <a href="/list/page/9?sort=new">9</a>
    <a href="/blog?page=2">Next</a> <a href="/list?sort=old&page=2">Next</a>
    <a href="https://other.com/list?page=2">Next</a> <a href="/about">About</a>"""
    pages = next_pages("https://dir.com/list?sort=new&page=2", html, "https://dir.com/list?sort=new")
    assert pages == ["https://dir.com/list?page=3&sort=new", "https://dir.com/list?sort=new&page=2",
                     "https://dir.com/list/page/9?sort=new"]
    assert listing_key("https://dir.com/list/page/4/?sort=new&p=2") == listing_key("https://dir.com/list?sort=new")


def test_company_links_skip_internal_sponsored_and_junk():
    html = """<a href="/profile/acme">Acme</a><a href="https://acme.com/?ref=dir">Acme</a>
    <a rel="sponsored" href="https://ads.com/">Ad</a><a href="https://x.com/dir">X</a>
    <a href="https://b.io/"><img alt="B Labs" src="b.png"></a><a href="https://c.dev/">Visit website</a>
    <a href="https://dir.com/x">Internal</a>"""
    assert company_links("https://dir.com/list", html, "https://dir.com/list") == [
        ("https://acme.com/", "Acme"), ("https://b.io/", "B Labs"), ("https://c.dev/", None)]


def test_queries_cross_industries_and_locations_then_signals():
    icp = ICP(industries=["fintech", "logistics"], locations=["Berlin", "Paris"], signals=["hiring", "tech"],
              exclude=["crypto", "acme.com", "big banks"])
    queries = search_queries(icp)
    assert queries[:4] == ["fintech companies in Berlin -crypto", "fintech companies in Paris -crypto",
                           "logistics companies in Berlin -crypto", "logistics companies in Paris -crypto"]
    assert queries[4] == "fintech startups in Berlin hiring -crypto" and len(queries) == 8
    assert search_queries(icp, max_queries=3) == queries[:3]
    assert search_queries(ICP(locations=["Lyon"])) == ["startups in Lyon"]
    with pytest.raises(InvalidInput):
        search_queries(ICP(signals=["hiring"]))


def test_search_result_filters_and_names():
    assert result_rejection(SearchResult("https://acme.com/", "Acme | Robots", "")) is None
    assert result_rejection(SearchResult("https://acme.com/", "Top 10 robot startups", "")) == "list article"
    assert result_rejection(SearchResult("https://acme.com/news/2024/x", "Acme news", "")) == "article"
    assert name_from_title("Home - Acme Robotics", "https://acme-robotics.com/") == "Acme Robotics"
    assert name_from_title("Acme: warehouse robots for everyone", "https://acme.io/") == "Acme"


class ListSource:
    def __init__(self, *urls: str) -> None:
        self.urls = urls
        self.closed = False

    async def companies(self):
        try:
            for url in self.urls:
                yield DiscoveredCompany(url, None, "test", url)
        finally:
            self.closed = True


async def test_discovery_merges_sources_with_limit_and_exclusions():
    first = ListSource("https://a.com/", "https://b.com/", "https://www.a.com/")
    second = ListSource("https://c.com/", "https://blocked.com/", "https://d.com/", "https://e.com/")
    found = await discover_companies([first, second], limit=4, exclude=["https://www.blocked.com", "retail"])
    assert [c.url for c in found] == ["https://a.com/", "https://b.com/", "https://c.com/", "https://d.com/"]
    assert second.closed  # the source stopped at the limit is closed, not left dangling
    out = io.StringIO()
    write_companies_file([DiscoveredCompany("https://a.com/", "A # B", "directory", "https://dir.com/")], out, title="t")
    assert out.getvalue() == "# t\nhttps://a.com/  # directory: https://dir.com/ (A B)\n"
    assert parse_company_list(out.getvalue()) == ["https://a.com/"]
