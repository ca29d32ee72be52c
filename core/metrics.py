"""Prometheus metrics of leadgen: one definition per metric of deploy/metrics.md, and the small
recording functions the pipeline, the mail path, the API and the workers call.

Metrics live in the process registry. With ``PROMETHEUS_MULTIPROC_DIR`` set before this module is
first imported, prometheus_client writes every sample to that directory instead (multiprocess
mode) and ``core.metrics_export`` serves the merged view.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

STAGES = ("research", "qualify", "write", "review", "send")
OUTCOMES = ("ok", "skipped", "disqualified", "failed")
DECISIONS = ("approved", "edited", "rejected")
VERDICTS = ("correct", "incorrect")
PROVIDERS = ("smtp", "sendgrid", "file")
DEFER_REASONS = ("rate_limit", "quiet_hours", "temporary_failure")
BOUNCE_TYPES = ("hard", "soft")
UNSUBSCRIBE_SOURCES = ("link", "one_click", "reply")
REPLY_CLASSES = ("interested", "not_interested", "out_of_office", "unsubscribe", "other")
TASK_OUTCOMES = ("ok", "retry", "failed")
BUDGET_RESOURCES = ("tokens", "cost")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
OTHER = "other"

# The catalog lists every series we expose; the extra *_created gauge per series is not in it.
disable_created_metrics()

STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

LEADS = Counter("leadgen_leads", "Leads that finished a pipeline stage.", ["stage", "outcome"])
STAGE_DURATION = Histogram(
    "leadgen_stage_duration_seconds", "Time one lead spent in a pipeline stage.", ["stage"],
    buckets=STAGE_BUCKETS,
)
FETCH_ERRORS = Counter("leadgen_fetch_errors", "Pages that could not be fetched, by kind.", ["kind"])
LLM_TOKENS = Counter("leadgen_llm_tokens", "LLM tokens used.", ["agent", "kind"])
LLM_COST = Counter("leadgen_llm_cost_usd", "Estimated LLM spend in US dollars.", ["agent"])
LLM_BUDGET_USED = Gauge(
    "leadgen_llm_budget_used_ratio", "Share of a running campaign's LLM budget already used.",
    ["campaign", "resource"], multiprocess_mode="max",
)
GUARD_FLAGS = Counter("leadgen_guard_flags", "Drafts or inputs a guard flagged.", ["guard"])
APPROVALS = Counter("leadgen_approvals", "Reviewer decisions on drafts.", ["decision"])
QUALIFICATION_FEEDBACK = Counter(
    "leadgen_qualification_feedback",
    "Reviewer decisions compared with the qualifier's fit verdict.", ["verdict"],
)
MESSAGES_QUEUED = Counter("leadgen_messages_queued", "Approved messages written to the outbox.")
MESSAGES_SENT = Counter("leadgen_messages_sent", "Messages the mail provider accepted.", ["provider"])
MESSAGES_DEFERRED = Counter(
    "leadgen_messages_deferred", "Send attempts postponed.", ["provider", "reason"]
)
MESSAGES_DELIVERED = Counter(
    "leadgen_messages_delivered", "Messages confirmed delivered.", ["provider"]
)
BOUNCES = Counter("leadgen_bounces", "Bounced messages.", ["provider", "type"])
COMPLAINTS = Counter("leadgen_complaints", "Spam complaints.", ["provider"])
UNSUBSCRIBES = Counter("leadgen_unsubscribes", "Unsubscribes.", ["source"])
REPLIES = Counter("leadgen_replies", "Inbound replies by classification.", ["class"])
HTTP_REQUESTS = Counter(
    "leadgen_http_requests", "API requests handled.", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "leadgen_http_request_duration_seconds", "API request latency.", ["method", "route"]
)
QUEUE_DEPTH = Gauge(
    "leadgen_queue_depth", "Tasks waiting in a Celery queue.", ["queue"], multiprocess_mode="max"
)
WORKER_TASKS = Counter("leadgen_worker_tasks", "Celery tasks finished.", ["task", "outcome"])

ALL_METRICS = (
    LEADS, STAGE_DURATION, FETCH_ERRORS, LLM_TOKENS, LLM_COST, LLM_BUDGET_USED, GUARD_FLAGS,
    APPROVALS, QUALIFICATION_FEEDBACK, MESSAGES_QUEUED, MESSAGES_SENT, MESSAGES_DEFERRED,
    MESSAGES_DELIVERED, BOUNCES, COMPLAINTS, UNSUBSCRIBES, REPLIES, HTTP_REQUESTS, HTTP_DURATION,
    QUEUE_DEPTH, WORKER_TASKS,
)


def ensure_multiprocess_values() -> None:
    """Write every metric to ``PROMETHEUS_MULTIPROC_DIR`` from now on, even when this module was
    imported before the variable was set (prometheus_client picks its value class at import).
    Samples recorded before the switch are dropped: call it at process start, before forking."""
    from prometheus_client import values

    if getattr(values.ValueClass, "_multiprocess", False):
        return
    values.ValueClass = values.MultiProcessValue()
    for metric in ALL_METRICS:
        if metric._labelnames:
            metric.clear()  # children are created again, with the new value class, on first use
        else:
            metric._metric_init()


# Set by the graph nodes around an agent call, read where LLM usage is charged (tools/llm.py):
# the agent and campaign reach the LangChain callback without widening every agent signature.
current_agent: ContextVar[str] = ContextVar("leadgen_metrics_agent", default=OTHER)
current_campaign: ContextVar[str | None] = ContextVar("leadgen_metrics_campaign", default=None)

_WORD = re.compile(r"[^a-z0-9_]+")


def label_word(value: str | None, *, max_length: int = 40) -> str:
    """A short lowercase label value from a machine label (``http_404``, ``spam_phrasing``)."""
    word = _WORD.sub("_", (value or "").strip().lower().split(":", 1)[0]).strip("_")
    return word[:max_length] or OTHER


def _closed(value: str | None, allowed: tuple[str, ...]) -> str:
    word = label_word(value)
    return word if word in allowed else OTHER


@contextmanager
def llm_scope(agent: str, campaign: str | None = None) -> Iterator[None]:
    """Attribute LLM usage inside the block to ``agent`` (and its budget to ``campaign``)."""
    agent_token = current_agent.set(label_word(agent))
    campaign_token = current_campaign.set(campaign)
    try:
        yield
    finally:
        current_agent.reset(agent_token)
        current_campaign.reset(campaign_token)


# --- pipeline ----------------------------------------------------------------------------


def record_lead(stage: str, outcome: str, seconds: float | None = None) -> None:
    stage_label = _closed(stage, STAGES)
    LEADS.labels(stage_label, _closed(outcome, OUTCOMES)).inc()
    if seconds is not None:
        STAGE_DURATION.labels(stage_label).observe(max(0.0, seconds))


class StageOutcome:
    """What a timed stage ended with; None records nothing (e.g. the stage did not apply)."""

    def __init__(self) -> None:
        self.value: str | None = None

    def set(self, outcome: str) -> None:
        self.value = outcome


@contextmanager
def stage_timer(stage: str) -> Iterator[StageOutcome]:
    """Time a stage for one lead and count its outcome; an exception counts as ``failed``."""
    outcome = StageOutcome()
    started = time.perf_counter()
    try:
        yield outcome
    except Exception:
        record_lead(stage, "failed", time.perf_counter() - started)
        raise
    if outcome.value is not None:
        record_lead(stage, outcome.value, time.perf_counter() - started)


def record_guard_flags(flags: Iterable[str]) -> None:
    for flag in flags:
        GUARD_FLAGS.labels(label_word(flag)).inc()


def record_fetch_error(kind: str) -> None:
    FETCH_ERRORS.labels(label_word(kind)).inc()


def record_llm_usage(input_tokens: int, output_tokens: int, cost_usd: float,
                     agent: str | None = None) -> None:
    name = label_word(agent) if agent else current_agent.get()
    LLM_TOKENS.labels(name, "prompt").inc(max(0, input_tokens))
    LLM_TOKENS.labels(name, "completion").inc(max(0, output_tokens))
    LLM_COST.labels(name).inc(max(0.0, cost_usd))


def record_budget_used(campaign: str, tokens_ratio: float, cost_ratio: float) -> None:
    LLM_BUDGET_USED.labels(campaign, "tokens").set(min(1.0, max(0.0, tokens_ratio)))
    LLM_BUDGET_USED.labels(campaign, "cost").set(min(1.0, max(0.0, cost_ratio)))


def clear_budget(campaign: str) -> None:
    """Drop a finished campaign's budget series (in multiprocess mode they read 0 first, since
    other processes' files keep the last value)."""
    for resource in BUDGET_RESOURCES:
        try:
            LLM_BUDGET_USED.labels(campaign, resource).set(0.0)
            LLM_BUDGET_USED.remove(campaign, resource)
        except KeyError:
            continue


# --- review ------------------------------------------------------------------------------


def record_approval(decision: str) -> None:
    """``decision``: approve/approved, edit/edited, reject/rejected."""
    normal = {"approve": "approved", "edit": "edited", "reject": "rejected"}.get(decision, decision)
    APPROVALS.labels(_closed(normal, DECISIONS)).inc()


def record_qualification_feedback(fit: bool, decision: str) -> None:
    """A reviewer's approve/reject against the qualifier's fit verdict: approving a lead the
    qualifier called fit (or rejecting one it called unfit) is ``correct``."""
    approved = decision in ("approve", "approved")
    QUALIFICATION_FEEDBACK.labels("correct" if approved == fit else "incorrect").inc()


# --- mail --------------------------------------------------------------------------------


def provider_of(mailer: object) -> str:
    """The ``provider`` label of a mailer object: its ``provider`` attribute, else its module's
    name (tools/mail/smtp.py -> smtp, sendgrid.py -> sendgrid, file_outbox.py -> file)."""
    name = str(getattr(mailer, "provider", "") or type(mailer).__module__.rsplit(".", 1)[-1])
    return "file" if name.startswith("file") else _closed(name, PROVIDERS)


def record_queued(count: int = 1) -> None:
    MESSAGES_QUEUED.inc(count)


def record_sent(provider: str) -> None:
    """The provider accepted a message. Plain SMTP has no delivery events: acceptance by the relay
    counts as delivered too (a later DSN counts as a bounce)."""
    name = _closed(provider, PROVIDERS)
    MESSAGES_SENT.labels(name).inc()
    if name != "sendgrid":
        MESSAGES_DELIVERED.labels(name).inc()


def record_deferred(provider: str, reason: str) -> None:
    MESSAGES_DEFERRED.labels(_closed(provider, PROVIDERS), _closed(reason, DEFER_REASONS)).inc()


def record_delivered(provider: str) -> None:
    MESSAGES_DELIVERED.labels(_closed(provider, PROVIDERS)).inc()


def record_bounce(provider: str, hard: bool) -> None:
    BOUNCES.labels(_closed(provider, PROVIDERS), "hard" if hard else "soft").inc()


def record_complaint(provider: str) -> None:
    COMPLAINTS.labels(_closed(provider, PROVIDERS)).inc()


def record_unsubscribe(source: str) -> None:
    UNSUBSCRIBES.labels(_closed(source, UNSUBSCRIBE_SOURCES)).inc()


# tools.tracking reply kinds -> the catalog's reply classes.
_REPLY_CLASS = {"positive": "interested", "negative": "not_interested", "neutral": "other"}


def record_reply(kind: str) -> None:
    REPLIES.labels(_closed(_REPLY_CLASS.get(kind, kind), REPLY_CLASSES)).inc()


# --- API and workers ---------------------------------------------------------------------


def record_http_request(method: str, route: str, status: int, seconds: float) -> None:
    """``route`` is the route template or "unmatched", never a raw path."""
    verb = method.upper() if method.upper() in HTTP_METHODS else OTHER
    HTTP_REQUESTS.labels(verb, route, str(status)).inc()
    HTTP_DURATION.labels(verb, route).observe(max(0.0, seconds))


def record_worker_task(task: str, outcome: str) -> None:
    WORKER_TASKS.labels(label_word(task.rsplit(".", 1)[-1]), _closed(outcome, TASK_OUTCOMES)).inc()


def set_queue_depth(queue: str, depth: int) -> None:
    QUEUE_DEPTH.labels(queue).set(depth)
