"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from tools.web.http import HttpFetcher


@pytest.fixture
async def make_fetcher(settings):
    """``make_fetcher(**settings)``: HttpFetchers with no per-host delay and a 2 s timeout, closed
    after the test."""
    fetchers: list[HttpFetcher] = []

    def make(**overrides) -> HttpFetcher:
        values = {"per_host_delay": 0.0, "fetch_timeout": 2.0, **overrides}
        fetcher = HttpFetcher(settings.model_copy(update=values), backoff_base=0.01)
        fetchers.append(fetcher)
        return fetcher

    yield make
    for fetcher in fetchers:
        await fetcher.aclose()
