"""The product's `Fetcher`: page cache, then robots.txt, politeness and the SSRF guard around
httpx, with a chromium re-render for pages that only show content with JavaScript."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from core import metrics
from core.errors import BlockedByRobots, FetchError
from core.settings import Settings
from tools.web.browser import BrowserFetcher
from tools.web.cache import PageCache
from tools.web.http import HttpFetcher
from tools.web.netguard import NetGuard
from tools.web.politeness import HostLimiter
from tools.web.render_policy import needs_rendering
from tools.web.robots import ROBOTS_MAX_BYTES, RobotsPolicy
from tools.web.types import Page

log = logging.getLogger(__name__)


@dataclass
class FetchCounters:
    pages: int = 0
    cache_hits: int = 0
    robots_refusals: int = 0
    browser_renders: int = 0
    errors: Counter[str] = field(default_factory=Counter)


class WebFetcher:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        backoff_base: float = 0.5,
    ) -> None:
        self.settings = settings
        self.guard = NetGuard(settings.allow_private_hosts, proxied=bool(settings.http_proxy))
        limiter = HostLimiter(
            settings.per_host_concurrency, settings.per_host_delay, settings.global_concurrency
        )
        self.http = HttpFetcher(settings, guard=self.guard, limiter=limiter, backoff_base=backoff_base)
        self.robots = RobotsPolicy(self._fetch_robots, settings.user_agent, clock=clock)
        self.browser = BrowserFetcher(settings, guard=self.guard, limiter=limiter) if settings.browser else None
        self.cache = PageCache.for_data_dir(settings.data_dir) if settings.page_cache else None
        self.counters = FetchCounters()

    @property
    def requests(self) -> int:
        """HTTP requests sent (every attempt and redirect hop, robots.txt included)."""
        return self.http.requests

    def metrics(self) -> dict[str, object]:
        c = self.counters
        return {
            "requests": self.requests,
            "pages": c.pages,
            "cache_hits": c.cache_hits,
            "robots_refusals": c.robots_refusals,
            "browser_renders": c.browser_renders,
            "errors": dict(c.errors),
        }

    async def _fetch_robots(self, url: str) -> str:
        raw = await self.http.follow(url, html_only=False, max_bytes=ROBOTS_MAX_BYTES + 1, truncate=True)
        if len(raw.body) > ROBOTS_MAX_BYTES:
            # Only the first 500 KiB count (RFC 9309 §2.5), and never half a line: "Allow: /public"
            # cut to "Allow: /p" would allow more than the site said.
            raw.body = raw.body[:ROBOTS_MAX_BYTES].rpartition(b"\n")[0]
        return raw.text()

    async def _check_robots(self, url: str) -> None:
        rules = await self.robots.rules_for(url)
        if not rules.allowed(url):
            self.counters.robots_refusals += 1
            raise BlockedByRobots(rules.why or f"robots.txt disallows {url}", url=url)

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        """``render=None``: httpx first, chromium when the page needs JavaScript; ``True``: chromium;
        ``False``: httpx only. Raises FetchError (kind says why)."""
        try:
            page = await self._fetch(url, render)
        except FetchError as exc:
            self.counters.errors[exc.kind] += 1
            metrics.record_fetch_error(exc.kind)  # robots.txt refusals arrive as kind="robots"
            raise
        self.counters.pages += 1
        return page

    async def _fetch(self, url: str, render: bool | None) -> Page:
        self.guard.check_static(url)  # refuse unsafe URLs even when they are cached
        if self.cache is not None:
            hit = await self.cache.get(url)
            if hit is not None and (render is not True or hit[1] == "browser"):
                self.counters.cache_hits += 1
                return hit[0]
        if render is True:
            page = await self._render(url)
        else:
            page = await self.http.fetch(url, hop_check=self._check_robots)
            if render is None and self.browser is not None and needs_rendering(page.html):
                page = await self._render_or_keep(page)
        if self.cache is not None:
            await self.cache.put(page)
        return page

    async def _render(self, url: str, document: Page | None = None) -> Page:
        if self.browser is None:
            raise FetchError("rendering asked for but the browser is disabled", kind="browser", url=url)
        await self._check_robots(url)
        page = await self.browser.fetch(url, document=document)
        self.counters.browser_renders += 1
        return page

    async def _render_or_keep(self, page: Page) -> Page:
        try:
            rendered = await self._render(page.final_url, page)  # chromium reuses the fetched HTML
        except FetchError as exc:
            # The plain HTML is still worth something; record why the render failed.
            self.counters.errors[f"browser_{exc.kind}"] += 1
            log.info("render of %s failed (%s); keeping the plain HTML", page.final_url, exc.kind)
            return page
        rendered.url = page.url
        return rendered

    async def fetch_text(self, url: str) -> str:
        """A text resource such as /robots.txt or /sitemap.xml: guarded, polite, and checked
        against robots.txt (except robots.txt itself)."""
        is_robots = urlsplit(url).path == "/robots.txt"
        self.guard.check_static(url)
        # robots.txt has its own cache (RobotsPolicy, at most 24 h); other text goes through the
        # page cache like pages do, so re-runs and evals read sitemaps and job boards from disk.
        cache = None if is_robots else self.cache
        if cache is not None:
            hit = await cache.get(url)
            if hit is not None:
                self.counters.cache_hits += 1
                return hit[0].html
        try:
            text = await self.http.fetch_text(url, hop_check=None if is_robots else self._check_robots)
        except FetchError as exc:
            self.counters.errors[exc.kind] += 1
            metrics.record_fetch_error(exc.kind)
            raise
        if cache is not None:
            await cache.put(Page(url=url, final_url=url, status=200, html=text, content_type="text/plain"))
        return text

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.browser is not None:
            await self.browser.aclose()


def build_fetcher(settings: Settings) -> WebFetcher:
    return WebFetcher(settings)
