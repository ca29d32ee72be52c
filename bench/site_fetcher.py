"""A `Fetcher` that serves sample-web sites in-process (``build_site(record).lookup(path)``), no server:
leads for agent benchmarks without network time."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.errors import FetchError
from sampleweb.dataset import Record, domain_of
from sampleweb.sites import Site, build_site
from tools.web.types import Page


class SampleSiteFetcher:
    def __init__(self, records: list[Record]) -> None:
        self._records = {domain_of(r): r for r in records}
        self._sites: dict[str, Site] = {}
        self.pages = 0

    def _site(self, url: str) -> tuple[Site, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        record = self._records.get(host)
        if record is None:
            raise FetchError(f"{host} is not a sample site", kind="dns", url=url)
        site = self._sites.get(host)
        if site is None:
            site = self._sites[host] = build_site(record)
        return site, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        site, target = self._site(url)
        response = site.lookup(target)
        self.pages += 1
        return Page(url=url, final_url=url, status=response.status,
                    html=response.body.decode("utf-8", "replace"),
                    content_type=response.content_type, headers=dict(response.headers))

    async def fetch_text(self, url: str) -> str:
        page = await self.fetch(url)
        if page.status >= 400:
            raise FetchError(f"HTTP {page.status}", kind=f"http_{page.status}", url=url)
        return page.html

    async def aclose(self) -> None:
        self._sites.clear()
