"""What a fetch returns, and the `Fetcher` seam every page read goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass
class Page:
    url: str  # what was asked for
    final_url: str  # after redirects
    status: int
    html: str
    content_type: str = "text/html"
    fetched_with: Literal["httpx", "browser", "cache"] = "httpx"
    headers: dict[str, str] = field(default_factory=dict)


class Fetcher(Protocol):
    """Fetches one URL politely and safely; raises core.errors.FetchError (or a subclass)."""

    async def fetch(self, url: str, *, render: bool | None = None) -> Page:
        """``render=None``: decide (httpx first, browser when the page needs JavaScript)."""
        ...

    async def aclose(self) -> None: ...
