"""HostLimiter keys: one host spelled several ways shares its two slots (counted with events,
not clocks; the server-measured limits are in tests/integration/test_fetch_web.py)."""

from __future__ import annotations

import asyncio

from tools.web.politeness import HostLimiter


async def peak_in_flight(limiter: HostLimiter, hosts: list[str]) -> int:
    now = peak = 0
    release = asyncio.Event()

    async def request(host: str) -> None:
        nonlocal now, peak
        async with limiter.slot(host):
            now += 1
            peak = max(peak, now)
            await release.wait()
            now -= 1

    tasks = [asyncio.create_task(request(h)) for h in hosts]
    for _ in range(20):  # let every task that can get a slot get one
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)
    return peak


async def test_spellings_of_one_host_share_its_slots():
    hosts = ["a.example", "A.EXAMPLE", "a.example.", "A.Example."] * 2
    assert await peak_in_flight(HostLimiter(2, 0.0, 32), hosts) == 2

