"""Politeness limits: at most N requests in flight per host (hard max 2), a minimum gap
between request starts to one host, and a global cap on concurrent requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

HARD_MAX_PER_HOST = 2


class HostLimiter:
    def __init__(
        self,
        per_host_concurrency: int = 2,
        per_host_delay: float = 0.25,
        global_concurrency: int = 32,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_host = max(1, min(per_host_concurrency, HARD_MAX_PER_HOST))
        self.delay = max(0.0, per_host_delay)
        self._global = asyncio.Semaphore(max(1, global_concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self._clock = clock

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.per_host)
        return self._hosts[host]

    async def _wait_turn(self, host: str) -> None:
        # Reserve the next start slot synchronously (no await in between), so concurrent
        # callers queue up one ``delay`` apart instead of all waking at the same moment.
        now = self._clock()
        start = max(now, self._next_start.get(host, now))
        self._next_start[host] = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one request slot for ``host`` while the request (and its body read) runs."""
        key = host.lower().rstrip(".")  # "example.com." is the same host as "example.com"
        async with self._host_semaphore(key):
            await self._wait_turn(key)
            async with self._global:
                yield
