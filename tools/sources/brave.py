"""Brave Search API web search (``GET /res/v1/web/search?q=&count=``, header ``X-Subscription-Token``,
JSON ``web.results[].url/title/description``). Shapes from our knowledge of Brave's docs, not read online."""

from __future__ import annotations

import re

from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.sources.search import SearchResult

BRAVE_BASE_URL = "https://api.search.brave.com"
_TAGS = re.compile(r"</?strong>|<[^>]+>")  # Brave marks query terms in descriptions with <strong>


class BraveSearch:
    name = "brave"

    def __init__(self, client: ProviderClient) -> None:
        self.client = client

    async def search(self, query: str, *, count: int) -> list[SearchResult]:
        # count is capped at 20 by the API; offset pages are not used, queries vary instead.
        params = {"q": query, "count": min(count, 20), "result_filter": "web"}
        _, body = await self.client.get_json("/res/v1/web/search", params)
        if not isinstance(body, dict):
            raise ProviderError("answer is not an object", provider=self.name, kind="bad_response")
        web = body.get("web") or {}
        results = web.get("results") if isinstance(web, dict) else None
        return [
            SearchResult(url=str(r["url"]), title=_TAGS.sub("", str(r.get("title") or "")),
                         snippet=_TAGS.sub("", str(r.get("description") or "")))
            for r in results or [] if isinstance(r, dict) and r.get("url")
        ]

    async def aclose(self) -> None:
        await self.client.aclose()
