"""Token-bucket rate limits per caller: in memory for one process, in Redis when configured."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol

from core.errors import RateLimited


@dataclass(frozen=True)
class Rate:
    per_second: float  # refill rate
    burst: int  # bucket size


class RateLimiter(Protocol):
    async def take(self, key: str) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is available."""
        ...

    async def aclose(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self, rate: Rate, clock=time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated_at)
        self._lock = asyncio.Lock()

    async def take(self, key: str) -> float:
        async with self._lock:
            now = self._clock()
            tokens, updated = self._buckets.get(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - updated) * self.rate.per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate.per_second

    async def aclose(self) -> None:
        self._buckets.clear()


# KEYS[1] bucket key; ARGV: rate per second, burst, now (seconds). Returns the wait in ms.
_TAKE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
"""


class RedisRateLimiter:
    """The same bucket kept in Redis (one Lua script, atomic), shared by every API process."""

    def __init__(self, url: str, rate: Rate, prefix: str = "leadgen:ratelimit:") -> None:
        from redis.asyncio import Redis

        self.rate = rate
        self.prefix = prefix
        self._redis = Redis.from_url(url)
        self._script = self._redis.register_script(_TAKE_LUA)

    async def take(self, key: str) -> float:
        wait_ms = await self._script(
            keys=[self.prefix + key], args=[self.rate.per_second, self.rate.burst, time.time()]
        )
        return int(wait_ms) / 1000

    async def aclose(self) -> None:
        await self._redis.aclose()


def build_rate_limiter(redis_url: str | None, rate: Rate) -> RateLimiter:
    return RedisRateLimiter(redis_url, rate) if redis_url else MemoryRateLimiter(rate)


async def enforce(limiter: RateLimiter, key: str) -> None:
    wait = await limiter.take(key)
    if wait > 0:
        raise RateLimitExceeded(wait)


class RateLimitExceeded(RateLimited):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limit reached; retry in {math.ceil(retry_after)} s")
        self.retry_after = math.ceil(retry_after)
