"""The values tracking produces: provider events, classified replies and what applying them changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

EventKind = Literal[
    "processed", "delivered", "deferred", "bounce", "blocked", "dropped", "spamreport",
    "unsubscribe", "group_unsubscribe", "group_resubscribe", "open", "click", "other",
]

ReplyKind = Literal[
    "positive", "negative", "neutral", "out_of_office", "unsubscribe", "bounce", "delivery_delayed",
]
REPLY_KINDS: tuple[str, ...] = (
    "positive", "negative", "neutral", "out_of_office", "unsubscribe", "bounce", "delivery_delayed",
)


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One provider event about one message we sent (or tried to send)."""

    kind: str
    email: str
    provider_event_id: str | None
    message_ref: str | None
    occurred_at: datetime
    hard_bounce: bool = False
    reason: str | None = None
    payload: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ReplyResult:
    """An inbound message classified and, when possible, threaded to the outbox row it answers.

    ``message_ref`` is the outbox ``message_id`` (``<...@...>``) the reply answers, or None.
    """

    kind: str
    message_ref: str | None
    from_email: str
    return_date: date | None = None
    confidence: float = 0.5
    text_excerpt: str = ""
    message_id: str | None = None
    bounced_email: str | None = None
    hard_bounce: bool = False
    engine: str = "rules"


@dataclass
class EventSummary:
    """What ``apply_events`` did, counted; ``blocked`` lists the addresses a provider blocked so the
    sequencer can pause the sending mailbox."""

    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    unmatched: int = 0
    suppressed: list[str] = field(default_factory=list)
    stopped: int = 0
    blocked: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class ReplySummary:
    """What ``apply_reply`` did to the contact's sequence."""

    kind: str
    recorded: bool
    outbox_message_id: str | None = None
    campaign_id: str | None = None
    cancelled: int = 0
    postponed: int = 0
    resume_at: datetime | None = None
    suppressed: bool = False
