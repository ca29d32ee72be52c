"""SearXNG JSON search as a `SearchProvider`.

Checked against docs.searxng.org/dev/search_api and the source (searxng/searxng @ 9fea412,
``searx/webapp.py`` ``search()``, ``searx/webutils.py`` ``get_json_response``,
``searx/botdetection/_helpers.py``): ``GET /search?q=&format=json&pageno=&categories=``; no count
parameter, one page of whatever the engines return. A success is ``{"query", "results": [{"url",
"title", "content", "engine", ...}], "answers", "corrections", "infoboxes", "suggestions",
"unresponsive_engines": [[engine, message], ...]}``. A format missing from ``search.formats`` in
settings.yml (the default is html only) is ``abort(403)``, an HTML page; no query is 400
``{"error": "No query"}``; a failed search is 500 ``{"error": "search error"}``; the bot limiter
answers 429 with the plain text "Too Many Requests" and no Retry-After. SearXNG itself has no API
key: the optional bearer token is for a proxy in front of the instance.
"""

from __future__ import annotations

from typing import Any

from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.sources.search import SearchResult


def searxng_client(base_url: str, token: str | None = None, **options: Any) -> ProviderClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return ProviderClient("searxng", base_url, headers=headers, **options)


def _engine_failures(body: dict[str, Any]) -> str:
    pairs = [p for p in body.get("unresponsive_engines") or [] if isinstance(p, list | tuple) and len(p) == 2]
    return ", ".join(f"{engine} ({message})" for engine, message in pairs)


class SearxngSearch:
    name = "searxng"

    def __init__(self, client: ProviderClient, *, max_pages: int = 2) -> None:
        self.client = client
        self.max_pages = max_pages

    async def search(self, query: str, *, count: int) -> list[SearchResult]:
        out: list[SearchResult] = []
        for pageno in range(1, self.max_pages + 1):  # SearXNG has no count parameter; it pages
            body = await self._page(query, pageno)
            batch = [
                SearchResult(url=str(r["url"]), title=str(r.get("title") or ""), snippet=str(r.get("content") or ""))
                for r in body.get("results") or [] if isinstance(r, dict) and r.get("url")
            ]
            if not batch and pageno == 1 and (failed := _engine_failures(body)):
                # Nothing found because every engine failed is not "no results": say which and why.
                raise ProviderError(f"no engine answered: {failed}", provider=self.name, kind="server")
            out.extend(batch)
            if not batch or len(out) >= count:
                break
        return out[:count]

    async def _page(self, query: str, pageno: int) -> dict[str, Any]:
        params = {"q": query, "format": "json", "pageno": pageno, "categories": "general"}
        try:
            _, body = await self.client.get_json("/search", params)
        except ProviderError as exc:
            if exc.http_status == 403:
                raise ProviderError("HTTP 403: format=json refused (add json to search.formats in the "
                                    "instance's settings.yml, or check the token of a proxy in front)",
                                    provider=self.name, kind="auth", status=403) from exc
            raise
        if not isinstance(body, dict):
            raise ProviderError("answer is not an object", provider=self.name, kind="bad_response")
        return body

    async def aclose(self) -> None:
        await self.client.aclose()
