"""SearXNG JSON search (``GET /search?q=&format=json``, ``results[].url/title/content``); the
instance must have the json format enabled, else it answers 403."""

from __future__ import annotations

from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.sources.search import SearchResult


class SearxngSearch:
    name = "searxng"

    def __init__(self, client: ProviderClient, *, max_pages: int = 2) -> None:
        self.client = client
        self.max_pages = max_pages

    async def search(self, query: str, *, count: int) -> list[SearchResult]:
        out: list[SearchResult] = []
        for pageno in range(1, self.max_pages + 1):  # SearXNG has no count parameter; it pages
            _, body = await self.client.get_json(
                "/search", {"q": query, "format": "json", "pageno": pageno, "categories": "general"}
            )
            if not isinstance(body, dict):
                raise ProviderError("answer is not an object", provider=self.name, kind="bad_response")
            batch = [
                SearchResult(url=str(r["url"]), title=str(r.get("title") or ""), snippet=str(r.get("content") or ""))
                for r in body.get("results") or [] if isinstance(r, dict) and r.get("url")
            ]
            out.extend(batch)
            if not batch or len(out) >= count:
                break
        return out[:count]

    async def aclose(self) -> None:
        await self.client.aclose()
