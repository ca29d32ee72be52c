"""Brave Search API web search as a `SearchProvider`.

Checked against Brave's reference (api-dashboard.search.brave.com/api-reference/web/search/get and
api.search.brave.com/app/documentation/web-search/{query,responses,response-headers}):
``GET /res/v1/web/search?q=&count=`` (count at most 20; q at most 400 characters / 50 words) with
header ``X-Subscription-Token``; ``text_decorations`` (default true) adds highlight markup to
snippets, ``result_filter=web`` keeps only web results. A success is ``{"type": "search", "query",
"web": {"results": [{"title", "url", "description", ...}]}}``; ``web`` is optional and absent when
there are no web results. Errors are ``{"type": "ErrorResponse", "error": {"id", "status", "code",
"detail", "meta"}, "time"}`` (the reference's examples print the same object inside an ``errors``
list; both are read): a bad token is **422** ``SUBSCRIPTION_TOKEN_INVALID`` (not 401), 429 is
``RATE_LIMITED`` (per-second plan limit) or ``QUOTA_LIMITED`` (monthly quota spent). Rate limits come
as ``X-RateLimit-Limit/-Remaining/-Reset`` with one comma-separated value per window ("1, 15000":
per second, per month; Reset in seconds); no ``Retry-After`` is documented. Brave's own
brave/brave-search-skills (web-search SKILL.md) and SearXNG's ``searx/engines/braveapi.py`` use the
same request. That a missing token is a 422 ``VALIDATION`` naming the header comes from public client
notes, not Brave's pages.
"""

from __future__ import annotations

import re
from typing import Any

from tools.enrich.provider_http import ProviderClient, ProviderError
from tools.sources.search import SearchResult

BRAVE_BASE_URL = "https://api.search.brave.com"
_TAGS = re.compile(r"<[^>]+>")  # decoration markup, should an answer carry it despite text_decorations=false


def _error_object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    if isinstance(error, dict):
        return error
    errors = body.get("errors")
    return errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}


def brave_error_kind(status: int, body: object) -> str | None:
    """Brave's error codes: a refused token is a 422, a spent month a 429 like a busy second."""
    error = _error_object(body)
    code = error.get("code")
    if code in ("SUBSCRIPTION_TOKEN_INVALID", "SUBSCRIPTION_NOT_FOUND"):
        return "auth"
    if code == "QUOTA_LIMITED":
        return "quota_exhausted"
    if code == "RATE_LIMITED":
        return "rate_limited"
    meta = error.get("meta")
    problems = meta.get("errors") if isinstance(meta, dict) else None
    locations = [e.get("loc") for e in problems or [] if isinstance(e, dict)]
    if code == "VALIDATION" and any("x-subscription-token" in (loc or []) for loc in locations):
        return "auth"
    return None


def brave_client(base_url: str, token: str, **options: Any) -> ProviderClient:
    return ProviderClient("brave", base_url, headers={"X-Subscription-Token": token},
                          classify=brave_error_kind, **options)


class BraveSearch:
    name = "brave"

    def __init__(self, client: ProviderClient) -> None:
        self.client = client

    async def search(self, query: str, *, count: int) -> list[SearchResult]:
        # count is capped at 20 by the API; offset pages are not used, queries vary instead.
        params = {"q": query, "count": min(count, 20), "result_filter": "web", "text_decorations": "false"}
        _, body = await self.client.get_json("/res/v1/web/search", params)
        if not isinstance(body, dict) or body.get("type") != "search":
            raise ProviderError("answer is not a search response", provider=self.name, kind="bad_response")
        web = body.get("web") or {}
        results = web.get("results") if isinstance(web, dict) else None
        return [
            SearchResult(url=str(r["url"]), title=_TAGS.sub("", str(r.get("title") or "")),
                         snippet=_TAGS.sub("", str(r.get("description") or "")))
            for r in results or [] if isinstance(r, dict) and r.get("url")
        ]

    async def aclose(self) -> None:
        await self.client.aclose()
