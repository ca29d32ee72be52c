"""The eval harness's page source: an in-process ``Fetcher`` over the bundled sample web (no server,
no sockets), like a recorded corpus of rendered pages, optionally wrapped to plant hostile content."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from core.errors import FetchError
from sampleweb.dataset import Record, records_by_domain
from sampleweb.sites import Site, build_site
from tools.web.types import Page

# A JS-only sample page carries its content as base64 for a script to insert into #root. A browser
# would run it; the corpus stores what the browser would show, so extraction sees rendered HTML.
_JS_PAYLOAD = re.compile(r'atob\("([A-Za-z0-9+/=]+)"\)')
_ROOT = '<div id="root"></div>'

PageRewrite = Callable[[str, str], str]  # (path, html) -> html


@lru_cache(maxsize=256)
def site_for(domain: str) -> Site:
    """The rendered sample site of a domain (cached: sites are pure functions of their record)."""
    return build_site(records_by_domain()[domain.lower().removeprefix("www.")])


def record_for(domain: str) -> Record:
    return records_by_domain()[domain.lower().removeprefix("www.")]


def rendered(html: str) -> str:
    """What a browser shows for a JS-only sample page; other pages are returned unchanged."""
    match = _JS_PAYLOAD.search(html)
    if _ROOT not in html or match is None:
        return html
    inner = base64.b64decode(match.group(1)).decode("utf-8")
    return html.replace(_ROOT, f'<div id="root">{inner}</div>', 1)


class SiteFetcher:
    """A ``tools.web.types.Fetcher`` answering from sample sites in memory. Unknown hosts fail like
    an unreachable site; ``rewrite`` lets a wrapper alter HTML pages (hostile-page cases)."""

    def __init__(self, rewrite: PageRewrite | None = None) -> None:
        self.rewrite = rewrite
        self.requests: list[str] = []

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        self.requests.append(url)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        if host not in records_by_domain():
            raise FetchError(f"no sample site for {host or url!r}", kind="connect", url=url)
        site = site_for(host)
        response = site.lookup(parts.path + (f"?{parts.query}" if parts.query else ""))
        path = parts.path or "/"
        body = response.body.decode("utf-8")
        if response.content_type.startswith("text/html"):
            body = rendered(body)
            if self.rewrite is not None and response.status < 400:
                body = self.rewrite(path, body)
        final = site.plan.base_url + path
        return Page(url=url, final_url=final, status=response.status, html=body,
                    content_type=response.content_type, fetched_with="cache",
                    headers=dict(response.headers))

    async def fetch_text(self, url: str) -> str | None:
        """Plain-text resources (sitemap.xml, robots.txt); None when missing."""
        page = await self.fetch(url)
        return page.html if page.status < 400 else None

    async def aclose(self) -> None:
        return None
