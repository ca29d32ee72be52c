"""API pieces that use Redis for real: the shared rate limiter and the Celery launcher's broker."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

from api.launcher import CeleryLauncher
from api.rate_limits import Rate, RedisRateLimiter, enforce
from core.errors import RateLimited

pytestmark = pytest.mark.redis


async def test_redis_bucket_is_shared_between_limiters(redis_url):
    key = f"caller-{uuid.uuid4().hex}"
    first = RedisRateLimiter(redis_url, Rate(per_second=0.01, burst=3), prefix="leadgen:test:")
    second = RedisRateLimiter(redis_url, Rate(per_second=0.01, burst=3), prefix="leadgen:test:")
    try:
        assert [await first.take(key) for _ in range(2)] == [0.0, 0.0]
        assert await second.take(key) == 0.0  # the third token, taken by another process
        wait = await first.take(key)
        assert wait > 0
        with pytest.raises(RateLimited):
            await enforce(second, key)
        assert await first.take(f"{key}-other") == 0.0
    finally:
        await first.aclose()
        await second.aclose()


async def test_celery_launcher_sends_named_tasks(redis_url, settings):
    broker = redis_url.rsplit("/", 1)[0] + "/14"
    client = redis.Redis.from_url(broker)
    client.delete("leadgen")
    launcher = CeleryLauncher(settings.model_copy(update={"broker_url": broker}))
    try:
        await launcher.start("campaign-1")
        await launcher.resume("campaign-1", {"item-1": {"action": "approve"}})
        messages = [json.loads(raw) for raw in client.lrange("leadgen", 0, -1)]
    finally:
        await launcher.aclose()
        client.delete("leadgen")
        client.close()
    tasks = sorted((m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages)
    assert tasks == [
        ("leadgen.resume_campaign", "['campaign-1', {'item-1': {'action': 'approve'}}]"),
        ("leadgen.start_campaign", "['campaign-1']"),
    ]
