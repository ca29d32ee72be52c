"""Researcher agent: reads a company's site (home + a few key pages) and extracts company and contacts.

Page text is untrusted data: it is only parsed for facts here, never followed as instructions.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from core.errors import FetchError
from core.models import Lead
from tools.extract import (
    discover_pages,
    extract_company,
    extract_contacts,
    page_kind,
    parse_sitemap,
)
from tools.extract.domains import registrable_domain, same_site
from tools.extract.links import PRIORITY
from tools.web.types import Fetcher, Page

_FALLBACK_PATHS = {"team": "/team", "about": "/about", "contact": "/contact", "careers": "/careers"}


def normalise_url(url: str) -> str:
    """Bare domains get ``https://``; a given scheme is kept."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url.lstrip("/")
    parts = urlsplit(url)
    return url if parts.path else url + "/"


async def _fetch(fetcher: Fetcher, url: str) -> Page | None:
    try:
        page = await fetcher.fetch(url)
    except FetchError:
        return None
    return page if page.status < 400 and page.html else None


async def _sitemap_urls(fetcher: Fetcher, home: str) -> list[str]:
    url = urljoin(home, "/sitemap.xml")
    fetch_text = getattr(fetcher, "fetch_text", None)
    try:
        text = await fetch_text(url) if fetch_text is not None else None
    except FetchError:
        return []
    if text is None:
        page = await _fetch(fetcher, url)
        text = page.html if page is not None else ""
    return [u for u in parse_sitemap(text or "") if same_site(u, home)]


def _plan(home: str, home_html: str, sitemap: list[str]) -> list[str]:
    """Pages to read after the home page, in priority order (team, about, contact, careers, blog)."""
    found = discover_pages(home, home_html)
    for url in sitemap:
        kind = page_kind(url)
        if kind and url not in found.setdefault(kind, []):
            found[kind].append(url)
    if not sitemap:  # a sitemap lists what exists; without one, try the usual paths
        for kind, path in _FALLBACK_PATHS.items():
            found.setdefault(kind, [urljoin(home, path)])
    plan: list[str] = []
    # First the best page of each kind, then second-best pages, so one kind cannot eat the budget.
    for rank in range(3):
        for kind in PRIORITY:
            urls = found.get(kind, [])
            if rank < len(urls) and urls[rank] not in plan:
                plan.append(urls[rank])
    return plan


async def research(url: str, fetcher: Fetcher, *, page_budget: int = 8, index: int = 0) -> Lead:
    """Research one company site. Site problems become ``Lead(status="error")``, never exceptions."""
    start = normalise_url(url)
    try:
        home = await fetcher.fetch(start)
    except FetchError as exc:
        if "://" in url or exc.kind in ("robots", "unsafe_url"):
            return Lead(url=url, index=index, status="error", error=f"{exc.kind}: {exc.detail}")
        # A bare domain: many small sites still serve plain http only.
        start = "http://" + start.removeprefix("https://")
        try:
            home = await fetcher.fetch(start)
        except FetchError as exc2:
            return Lead(url=url, index=index, status="error", error=f"{exc2.kind}: {exc2.detail}")
    if home.status >= 400 or not home.html:
        return Lead(url=url, index=index, status="error", error=f"http_{home.status}: home page unavailable")
    home_url = home.final_url or start
    pages: dict[str, str] = {home_url: home.html}
    sitemap = await _sitemap_urls(fetcher, home_url) if page_budget > 1 else []
    for candidate in _plan(home_url, home.html, sitemap):
        if len(pages) >= page_budget:
            break
        if candidate in pages:
            continue
        page = await _fetch(fetcher, candidate)
        if page is not None and same_site(page.final_url or candidate, home_url):
            pages.setdefault(page.final_url or candidate, page.html)
    domain = registrable_domain(home_url)
    company = extract_company(pages, domain)
    contacts = extract_contacts(pages, domain)
    return Lead(url=url, index=index, status=None, company=company, contacts=contacts)
