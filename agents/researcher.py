"""Researcher agent: reads a company's site (home + a few key pages) and extracts company and contacts.

Page text is untrusted data: it is only parsed for facts here, never followed as instructions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from agents import hiring_board
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
from tools.web.render_policy import site_needs_browser
from tools.web.types import Fetcher, Page

log = logging.getLogger(__name__)

_FALLBACK_PATHS = {"team": "/team", "about": "/about", "contact": "/contact", "careers": "/careers"}


def normalise_url(url: str) -> str:
    """Bare domains get ``https://``; a given scheme is kept."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url.lstrip("/")
    parts = urlsplit(url)
    return url if parts.path else url + "/"


async def _fetch(fetcher: Fetcher, url: str, render: bool | None = None) -> Page | None:
    try:
        page = await fetcher.fetch(url, render=render)
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


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


async def _fetch_home(url: str, fetcher: Fetcher) -> tuple[str, Page | FetchError]:
    """The home page (the URL that was tried last, and the page or why it failed)."""
    start = normalise_url(url)
    try:
        return start, await fetcher.fetch(start)
    except FetchError as exc:
        if "://" in url or exc.kind == "unsafe_url":
            return start, exc
    # A bare domain: many small sites still serve plain http only.
    start = "http://" + start.removeprefix("https://")
    try:
        return start, await fetcher.fetch(start)
    except FetchError as exc:
        return start, exc


async def _read_pages(
    fetcher: Fetcher, plan: list[str], results: dict[str, Page | None], *, home_url: str,
    already: int, page_budget: int, parallel: int, render: bool | None,
    board_seen: Callable[[str, Page], bool] | None = None,
) -> None:
    """Fetches ``plan`` in order, ``parallel`` at a time (the fetcher still enforces the per-host
    limits), into ``results`` (URL -> page, None when it failed), until ``already`` plus the
    same-site pages read reach ``page_budget``; one less once ``board_seen`` says a page read
    points to a job board, so the board fits. Cancelled (the company's deadline), it keeps what
    it has read."""
    todo = iter([u for u in plan if u not in results])
    running: dict[asyncio.Task[Page | None], str] = {}
    found, seen, limit = already, set(results), page_budget
    try:
        while True:
            while len(running) < parallel and found + len(running) < limit:
                url = next(todo, None)
                if url is None:
                    break
                running[asyncio.ensure_future(_fetch(fetcher, url, render))] = url
            if not running:
                break
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                url = running.pop(task)
                page = results[url] = task.result()
                if page is not None and board_seen is not None and limit == page_budget and board_seen(url, page):
                    limit -= 1
                final = page.final_url or url if page is not None else None
                if final is not None and final not in seen and same_site(final, home_url):
                    seen.add(final)
                    found += 1
    finally:
        for task in running:
            task.cancel()


def _add_pages(plan: list[str], results: dict[str, Page | None], pages: dict[str, str], *,
               home_url: str, page_budget: int) -> None:
    """The same-site pages of ``results``, in plan order, into ``pages`` up to the budget."""
    for url in plan:
        page = results.get(url)
        if len(pages) >= page_budget:
            break
        if page is not None and same_site(page.final_url or url, home_url):
            pages.setdefault(page.final_url or url, page.html)


async def research(
    url: str, fetcher: Fetcher, *, page_budget: int = 8, index: int = 0, parallel: int = 2,
    deadline: float | None = None,
) -> Lead:
    """Research one company site, reading up to ``parallel`` pages at once. Site problems become
    ``Lead(status="error")``, never exceptions.

    ``deadline`` (seconds) bounds the whole company however its hosts misbehave (each request has
    its own timeout, but retries, redirects and robots.txt of every host add up): a home page not
    read by then makes an error lead; past it after the home page, the pages read so far are used.
    """
    ends = None if deadline is None else asyncio.get_running_loop().time() + deadline
    home_task = asyncio.ensure_future(_fetch_home(url, fetcher))
    # The sitemap of the first URL tried is read while the home page loads; a home page that
    # redirects to another origin gets its own origin's sitemap afterwards.
    early = normalise_url(url)
    sitemap_task = asyncio.ensure_future(_sitemap_urls(fetcher, early)) if page_budget > 1 else None
    try:
        async with asyncio.timeout_at(ends):
            start, home = await home_task
    except BaseException as exc:
        if sitemap_task is not None:
            sitemap_task.cancel()
        if isinstance(exc, TimeoutError):
            log.info("research of %s: home page not read within %g s", url, deadline)
            return Lead(url=url, index=index, status="error",
                        error=f"timeout: the site was not read within the {deadline:g} s research deadline")
        raise
    if isinstance(home, FetchError) or home.status >= 400 or not home.html:
        if sitemap_task is not None:
            sitemap_task.cancel()
        if isinstance(home, FetchError):
            return Lead(url=url, index=index, status="error", error=f"{home.kind}: {home.detail}")
        return Lead(url=url, index=index, status="error", error=f"http_{home.status}: home page unavailable")
    home_url = home.final_url or start
    pages: dict[str, str] = {home_url: home.html}
    plan: list[str] = []
    results: dict[str, Page | None] = {}
    boards = hiring_board.BoardFinder(home_url, home.html)
    try:
        async with asyncio.timeout_at(ends):
            sitemap: list[str] = []
            if sitemap_task is not None:
                sitemap = await sitemap_task
                if _origin(home_url) != _origin(early):
                    sitemap = await _sitemap_urls(fetcher, home_url)
            plan = _plan(home_url, home.html, sitemap)
            # A site that only shows content in the browser is read in the browser throughout.
            render = True if site_needs_browser(home.fetched_with) else None
            # A job board on the home page keeps one page of the budget for itself from the start.
            on_home = boards.on_home is not None
            await _read_pages(fetcher, plan, results, home_url=home_url, already=len(pages),
                              page_budget=page_budget - 1 if on_home else page_budget,
                              parallel=max(1, parallel), render=render,
                              board_seen=None if on_home else lambda u, p: bool(boards.on_careers_page(u, p)))
    except TimeoutError:
        if sitemap_task is not None:
            sitemap_task.cancel()
        if not plan:  # the sitemap took all the time: the links of the home page are still a plan
            plan = _plan(home_url, home.html, [])
        log.info("research of %s: deadline of %g s reached; using the %d pages read", url, deadline,
                 1 + sum(page is not None for page in results.values()))
    _add_pages(plan, results, pages, home_url=home_url, page_budget=page_budget)
    domain = registrable_domain(home_url)
    company = extract_company(pages, domain)
    contacts = extract_contacts(pages, domain)
    # Roles on a hosted job board (off-site on purpose): one board, one fetch of the page budget.
    board = boards.choose(plan, results)
    if board is not None and len(pages) < page_budget:
        hiring_board.add_openings(company, board, await hiring_board.read_board(fetcher, board, ends))
    return Lead(url=url, index=index, status=None, company=company, contacts=contacts)
