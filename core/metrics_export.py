"""Serving the metrics of core.metrics: the registry /metrics exposes (process or multiprocess)
and the first-class ratios (deliverability, API errors, qualification accuracy) computed at scrape time."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from threading import Lock
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Metric
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core import metrics

log = logging.getLogger(__name__)

BASELINE = Path(__file__).resolve().parents[1] / "evals" / "baseline.json"
EVAL_RUNS_DIR = Path("eval-runs")  # where `leadgen eval run` writes by default

AccuracySource = Callable[[], "float | None"]


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
        return list[Metric](self._families())

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
