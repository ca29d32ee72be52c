"""The workers' metrics: the multiprocess directory every Celery child writes to, the port-9100
exposition server the worker main process runs over it, Celery queue depth sampled per scrape,
and task outcomes counted from Celery signals.

prometheus_client picks multiprocess mode when it is first imported; importing it (and
core.metrics) only inside functions keeps that first import after :func:`prepare_multiprocess_dir`
where possible, and that function switches the values over when something imported them earlier.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKER_METRICS_PORT = 9100
# kombu's Redis transport keeps priorities 3, 6 and 9 in sibling lists "<queue>\x06\x16<n>".
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
TASK_OUTCOMES = {"SUCCESS": "ok", "RETRY": "retry"}  # any other final state is "failed"


def prepare_multiprocess_dir() -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a directory (a new temp dir when unset), clear the
    samples a previous worker left there and switch core.metrics to multiprocess values. Call in
    the worker main process before it forks."""
    directory = Path(os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="leadgen-prometheus-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)
    from core import metrics

    metrics.ensure_multiprocess_values()
    return directory


def queue_depth(client: Any, queue: str) -> int:
    """Messages waiting in a Celery queue on Redis (all priority lists)."""
    return sum(int(client.llen(queue + suffix)) for suffix in PRIORITY_SUFFIXES)


def _queue_depth_sampler(redis_url: str, queues: list[str]) -> Any:
    from prometheus_client.registry import Collector

    from core import metrics

    class QueueDepthSampler(Collector):
        """Sets ``leadgen_queue_depth`` from Redis when scraped. Registered before the collector
        that reads the multiprocess files, so the fresh value is served; yields nothing itself."""

        def describe(self) -> list:
            return []

        def collect(self) -> list:
            import redis

            try:
                client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
                try:
                    for queue in queues:
                        metrics.set_queue_depth(queue, queue_depth(client, queue))
                finally:
                    client.close()
            except redis.RedisError as exc:  # the scrape still serves everything else
                log.warning("queue depth not sampled: %s: %s", type(exc).__name__, exc)
            return []

    return QueueDepthSampler()


def start_metrics_server(
    port: int = WORKER_METRICS_PORT, *, addr: str = "0.0.0.0", redis_url: str | None = None,
    queues: Iterable[str] = (),
) -> tuple[Any, Any]:
    """Serve the merged metrics of every worker process on ``port``; returns (server, thread).
    Needs multiprocess mode (:func:`prepare_multiprocess_dir` first)."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    from core.metrics_export import DerivedRatios, multiprocess_active

    if not multiprocess_active():
        raise RuntimeError(
            "multiprocess mode is off (call prepare_multiprocess_dir first): "
            "the worker's child processes would be invisible"
        )
    registry = CollectorRegistry()
    if redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
        registry.register(_queue_depth_sampler(redis_url, list(queues)))
    merged = multiprocess.MultiProcessCollector(registry)
    registry.register(DerivedRatios(merged.collect))
    return start_http_server(port, addr=addr, registry=registry)


def count_task(sender: Any = None, state: str | None = None, **_: Any) -> None:
    """Celery ``task_postrun`` receiver: ``leadgen_worker_tasks_total{task, outcome}``."""
    name = getattr(sender, "name", None) or ""
    if not name.startswith("leadgen."):
        return
    from core import metrics

    metrics.record_worker_task(name, TASK_OUTCOMES.get(state or "", "failed"))
