"""Serving the metrics of core.metrics: the registry /metrics exposes (process or multiprocess),
the ratios computed at scrape time, Celery queue depth sampling and the workers' port-9100 server."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from threading import Lock
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Metric, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core import metrics

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKER_METRICS_PORT = 9100
BASELINE = Path(__file__).resolve().parents[1] / "evals" / "baseline.json"
EVAL_RUNS_DIR = Path("eval-runs")  # where `leadgen eval run` writes by default
# kombu's Redis transport keeps priorities 3, 6 and 9 in sibling lists "<queue>\x06\x16<n>".
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")

AccuracySource = Callable[[], "float | None"]


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess_dir() -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at a directory (a new temp dir when unset) and clear
    samples a previous run left there. Call before anything imports core.metrics."""
    directory = Path(multiprocess_dir() or tempfile.mkdtemp(prefix="leadgen-prometheus-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def multiprocess_active() -> bool:
    """Whether core.metrics' values are written to the multiprocess directory."""
    return bool(getattr(metrics.MESSAGES_QUEUED._value, "_multiprocess", False))


# --- accuracy sources ------------------------------------------------------------------------


def _rate(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    return float(value) if isinstance(value, int | float) else None


def eval_accuracy(runs_dir: Path = EVAL_RUNS_DIR, baseline: Path = BASELINE) -> float | None:
    """``qualification.accuracy`` of the newest eval run's results.json, else of the baseline
    (its "all" slice first)."""
    runs = sorted(runs_dir.glob("*/results.json"), key=lambda p: p.stat().st_mtime) if runs_dir.is_dir() else []
    for path in reversed(runs):
        try:
            rates = json.loads(path.read_text(encoding="utf-8"))["metrics"]["rates"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        value = _rate(rates.get("qualification.accuracy"))
        if value is not None:
            return value
    try:
        slices = json.loads(baseline.read_text(encoding="utf-8"))["slices"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for name in ("all", *sorted(slices)):
        value = _rate(slices.get(name, {}).get("rates", {}).get("qualification.accuracy"))
        if value is not None:
            return value
    return None


class _Sources:
    """Where the accuracy ratios come from; the API installs its database-backed review source."""

    def __init__(self) -> None:
        self._lock = Lock()
        self.eval: AccuracySource = eval_accuracy
        self.review: AccuracySource | None = None

    def set(self, *, eval: AccuracySource | None = None, review: AccuracySource | None = None) -> None:
        with self._lock:
            if eval is not None:
                self.eval = eval
            if review is not None:
                self.review = review


accuracy_sources = _Sources()


def set_accuracy_sources(*, eval: AccuracySource | None = None,
                         review: AccuracySource | None = None) -> None:
    accuracy_sources.set(eval=eval, review=review)


# --- derived ratios -----------------------------------------------------------------------------


def _sums(families: Iterable[Metric]) -> dict[str, list[tuple[dict[str, str], float]]]:
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in families:
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def _total(samples: dict, name: str, keep: Callable[[dict[str, str]], bool] = lambda _: True) -> float:
    return sum(value for labels, value in samples.get(name, []) if keep(labels))


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _safe(source: AccuracySource | None) -> float | None:
    if source is None:
        return None
    try:
        return source()
    except Exception as exc:  # a scrape must not fail because one source is down
        log.warning("accuracy source failed: %s: %s", type(exc).__name__, exc)
        return None


class DerivedRatios(Collector):
    """``leadgen_deliverability_ratio``, ``leadgen_api_error_ratio`` and
    ``leadgen_qualification_accuracy_ratio{source}``, computed from ``source`` (the counters) at
    scrape time; a ratio without a denominator yet has no sample."""

    def __init__(self, source: Callable[[], Iterable[Metric]]) -> None:
        self.source = source

    def describe(self) -> list[Metric]:
        return self._families()

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily("leadgen_deliverability_ratio",
                              "Messages delivered / messages sent, since the process started."),
            GaugeMetricFamily("leadgen_api_error_ratio",
                              "API requests answered 5xx / all API requests, since the process started."),
            GaugeMetricFamily("leadgen_qualification_accuracy_ratio",
                              "Share of fit verdicts that were right (eval suite, reviewer decisions).",
                              labels=["source"]),
        ]

    def collect(self) -> Iterable[Metric]:
        samples = _sums(self.source())
        deliverability, errors, accuracy = self._families()
        value = _ratio(_total(samples, "leadgen_messages_delivered_total"),
                       _total(samples, "leadgen_messages_sent_total"))
        if value is not None:
            deliverability.add_metric([], value)
        value = _ratio(_total(samples, "leadgen_http_requests_total",
                              lambda labels: labels.get("status", "").startswith("5")),
                       _total(samples, "leadgen_http_requests_total"))
        if value is not None:
            errors.add_metric([], value)
        evaluated = _safe(accuracy_sources.eval)
        if evaluated is not None:
            accuracy.add_metric(["eval"], evaluated)
        reviewed = _safe(accuracy_sources.review)
        if reviewed is None:  # no database source installed: this process's reviewer feedback
            reviewed = _ratio(
                _total(samples, "leadgen_qualification_feedback_total",
                       lambda labels: labels.get("verdict") == "correct"),
                _total(samples, "leadgen_qualification_feedback_total"),
            )
        if reviewed is not None:
            accuracy.add_metric(["review"], reviewed)
        return [deliverability, errors, accuracy]


def _ratio_inputs() -> Iterable[Metric]:
    for metric in (metrics.MESSAGES_SENT, metrics.MESSAGES_DELIVERED, metrics.HTTP_REQUESTS,
                   metrics.QUALIFICATION_FEEDBACK):
        yield from metric.collect()


_process_ratios = DerivedRatios(_ratio_inputs)
REGISTRY.register(_process_ratios)


# --- queue depth --------------------------------------------------------------------------------


class QueueDepthSampler(Collector):
    """Sets ``leadgen_queue_depth`` from Redis LLEN of each Celery queue when scraped. Registered
    before the collector that reads the values, it yields nothing itself."""

    def __init__(self, redis_url: str, queues: Iterable[str]) -> None:
        self.redis_url = redis_url
        self.queues = list(queues)

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        import redis

        try:
            client = redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
            try:
                for queue in self.queues:
                    depth = sum(int(client.llen(queue + suffix)) for suffix in _PRIORITY_SUFFIXES)
                    metrics.set_queue_depth(queue, depth)
            finally:
                client.close()
        except redis.RedisError as exc:
            log.warning("queue depth not sampled: %s: %s", type(exc).__name__, exc)
        return []


# --- registries and servers ---------------------------------------------------------------------


def exposition_registry() -> CollectorRegistry:
    """What the API's /metrics serves: the process registry, or in multiprocess mode a fresh
    registry over every process's samples, with the ratios computed over the merged counters."""
    if not multiprocess_active():
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    merged = multiprocess.MultiProcessCollector(registry)
    registry.register(DerivedRatios(merged.collect))
    return registry


def start_worker_exposition(
    port: int = WORKER_METRICS_PORT, *, addr: str = "0.0.0.0", redis_url: str | None = None,
    queues: Iterable[str] = (),
) -> tuple[Any, Any]:
    """Serve every worker process's metrics on ``port`` (multiprocess mode must be on: call
    :func:`prepare_multiprocess_dir` before core.metrics is imported). Returns (server, thread)."""
    if not multiprocess_active():
        raise RuntimeError(
            f"{MULTIPROC_ENV} was not set before core.metrics was imported; "
            "worker child processes would be invisible"
        )
    registry = CollectorRegistry()
    if redis_url:
        registry.register(QueueDepthSampler(redis_url, queues))
    from prometheus_client import multiprocess

    merged = multiprocess.MultiProcessCollector(registry)
    registry.register(DerivedRatios(merged.collect))
    return start_http_server(port, addr=addr, registry=registry)
