"""Link discovery (same site only, classified by path and anchor text) and sitemap parsing."""

from pathlib import Path

from tools.extract.domains import registrable_domain, same_site
from tools.extract.links import discover_pages, page_kind, parse_sitemap

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def test_discover_pages_on_home():
    found = discover_pages("https://northwind-labs.io/", (PAGES / "northwind" / "home.html").read_text())
    assert found["team"] == ["https://northwind-labs.io/team"]
    assert found["about"] == ["https://northwind-labs.io/about"]
    assert found["careers"] == ["https://northwind-labs.io/careers"]
    assert found["blog"] == ["https://northwind-labs.io/blog/"]
    assert found["contact"] == ["https://northwind-labs.io/contact"]
    assert not any("twitter.com" in u for urls in found.values() for u in urls)


def test_anchor_text_other_languages_and_foreign_sites():
    html = (
        '<a href="/unternehmen/wer-wir-sind">Über uns</a><a href="/x1">Kontakt</a>'
        '<a href="https://jobs.acme.de/">Karriere</a><a href="https://evil.example/team">Team</a>'
        '<a href="/fr/equipe">Notre équipe</a><a href="/brochure.pdf">About (PDF)</a>'
    )
    found = discover_pages("https://www.acme.de/", html)
    assert found["about"] == ["https://www.acme.de/unternehmen/wer-wir-sind"]
    assert found["contact"] == ["https://www.acme.de/x1"]
    assert found["careers"] == ["https://jobs.acme.de/"]
    assert found["team"] == ["https://www.acme.de/fr/equipe"]


def test_page_kind_prefers_specific_segment():
    assert page_kind("https://a.com/company/careers") == "careers"
    assert page_kind("https://a.com/about/team") == "team"
    assert page_kind("https://a.com/blog/we-are-hiring") == "blog"
    assert page_kind("https://a.com/pricing") is None


def test_sitemap_urlset_and_index():
    urls = parse_sitemap((PAGES / "northwind" / "sitemap.xml").read_text())
    assert urls[0] == "https://northwind-labs.io/"
    assert "https://northwind-labs.io/legal?x=1&y=2" in urls
    index = "<sitemapindex><sitemap><loc>https://a.com/s1.xml</loc></sitemap></sitemapindex>"
    assert parse_sitemap(index) == ["https://a.com/s1.xml"]
    assert parse_sitemap("not xml") == []


def test_registrable_domain_offline():
    assert registrable_domain("https://www.shop.acme.co.uk/path") == "acme.co.uk"
    assert registrable_domain("jobs.acme.com") == "acme.com"
    assert registrable_domain("http://127.0.0.1:8080/x") == "127.0.0.1"
    assert same_site("https://blog.acme.com", "acme.com")
    assert not same_site("https://acme.com.evil.io", "acme.com")
    assert not same_site("http://127.0.0.1:8001/", "http://127.0.0.1:8002/")
