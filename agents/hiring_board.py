"""The company's own hosted job board (Greenhouse, Lever, Ashby, Workable): which one a site
points to, and its open roles read through the researcher's fetcher. A board never fails a lead."""

from __future__ import annotations

import asyncio
import logging

from core.errors import FetchError
from tools.extract import job_boards
from tools.extract.domains import same_site
from tools.extract.job_boards import JobBoard, Opening, add_openings
from tools.extract.links import page_kind
from tools.web.types import Fetcher, Page

__all__ = ["BoardFinder", "add_openings", "careers_board", "page_board", "read_board"]

log = logging.getLogger(__name__)


def page_board(url: str, html: str) -> JobBoard | None:
    """The one job board a page links to or embeds; None for none, or for several (a list of
    partners' or portfolio companies' boards is not the company's own)."""
    boards = job_boards.find_job_boards(html, url)
    return boards[0] if len(boards) == 1 else None


def careers_board(url: str, page: Page, home_url: str) -> JobBoard | None:
    """The job board a careers page shows, or that it redirects to."""
    if page_kind(url) != "careers":
        return None
    final = page.final_url or url
    if not same_site(final, home_url):
        return job_boards.board_at(final)
    return page_board(final, page.html)


class BoardFinder:
    """The company's board over the pages read: its careers pages' (in plan order), else its home
    page's. Each page is searched once, however often it is asked about."""

    def __init__(self, home_url: str, home_html: str) -> None:
        self.home_url = home_url
        self.on_home = page_board(home_url, home_html)
        self._careers: dict[str, JobBoard | None] = {}

    def on_careers_page(self, url: str, page: Page) -> JobBoard | None:
        if url not in self._careers:
            self._careers[url] = careers_board(url, page, self.home_url)
        return self._careers[url]

    def choose(self, plan: list[str], results: dict[str, Page | None]) -> JobBoard | None:
        """At most one board per company."""
        for url in plan:
            page = results.get(url)
            if page is not None and (board := self.on_careers_page(url, page)) is not None:
                return board
        return self.on_home


async def read_board(fetcher: Fetcher, board: JobBoard, ends: float | None) -> list[Opening]:
    """The board's open roles through the same fetcher (robots.txt, politeness, SSRF guard, size
    cap); [] when it cannot be read, the company's deadline passes or the answer is not in the
    documented shape: a board never fails the lead."""
    fetch_text = getattr(fetcher, "fetch_text", None)
    try:
        async with asyncio.timeout_at(ends):
            if fetch_text is not None:
                body = await fetch_text(board.api_url)
            else:
                page = await fetcher.fetch(board.api_url)
                body = page.html if page.status < 400 else ""
        return job_boards.parse_openings(board.provider, body)
    except (FetchError, TimeoutError, job_boards.BoardFormatError) as exc:
        reason = exc.kind if isinstance(exc, FetchError) else type(exc).__name__
        log.info("job board %s not read (%s)", board.api_url, reason)
        return []
