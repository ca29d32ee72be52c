"""What provider events do to leads and sequences: record each once, suppress and stop on hard
bounces, complaints and unsubscribes, and report blocks so the sequencer can pause a mailbox."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.db.store import Store
from tools.tracking import store
from tools.tracking.types import EventSummary, TrackingEvent

# kind -> (suppression reason, global?) ; global suppressions apply in every workspace.
_SUPPRESS = {
    "bounce": ("hard_bounce", True),
    "spamreport": ("complaint", True),
    "unsubscribe": ("unsubscribe", False),
    "group_unsubscribe": ("unsubscribe", False),
}
# What SendGrid's "dropped" reason says about the address (its own suppression lists).
_DROPPED = {
    "spam reporting address": ("complaint", True),
    "unsubscribed address": ("unsubscribe", False),
}


def suppression_for(event: TrackingEvent) -> tuple[str, bool] | None:
    """(reason, global) when this event means the address must never be mailed again."""
    if event.kind == "bounce":
        return _SUPPRESS["bounce"] if event.hard_bounce else None
    if event.kind == "dropped":
        if event.hard_bounce:
            return _SUPPRESS["bounce"]
        return _DROPPED.get((event.reason or "").strip().lower())
    return _SUPPRESS.get(event.kind)


def apply_events(
    target: Store | sessionmaker[Session], workspace_id: str, events: Iterable[TrackingEvent],
    *, provider: str = "sendgrid",
) -> EventSummary:
    """Record ``events`` once each (by provider event id) and act on them, in one transaction.

    Only events seen for the first time act, so a retried webhook batch changes nothing twice.
    Suppressions and cancellations are collected and written once per batch. New events are
    counted in core.metrics (delivered, bounces, complaints, unsubscribes) once committed.
    """
    batch = list(events)
    summary = EventSummary(received=len(batch))
    fresh: list[TrackingEvent] = []
    with store.transaction(target) as session:
        refs = store.resolve_outbox(session, workspace_id, (e.message_ref for e in batch if e.message_ref))
        rows = []
        for event in batch:
            outbox = refs.get(event.message_ref) if event.message_ref else None
            if outbox is None:
                summary.unmatched += 1
            payload = dict(event.payload) or _payload(event)
            rows.append(store.NewEvent(event.kind, event.provider_event_id, event.occurred_at,
                                       payload, outbox))
        created = store.insert_events(session, workspace_id, rows)
        suppressions: list[tuple[str | None, str, str]] = []
        # reason -> (addresses, contact ids) whose queued rows stop, in every campaign: the
        # sender refuses a suppressed address anyway, and the queue should say so.
        stops: dict[str, tuple[set[str], set[str]]] = {}
        for event, row, is_new in zip(batch, rows, created, strict=True):
            if not is_new:
                summary.duplicates += 1
                continue
            summary.recorded += 1
            fresh.append(event)
            summary.by_kind[event.kind] = summary.by_kind.get(event.kind, 0) + 1
            if event.kind == "blocked":
                if event.email not in summary.blocked:
                    summary.blocked.append(event.email)
                continue
            rule = suppression_for(event)
            if rule is None:
                continue
            reason, is_global = rule
            suppressions.append((None if is_global else workspace_id, event.email, reason))
            addresses, contacts = stops.setdefault(f"{event.kind}: {reason}", (set(), set()))
            addresses.add(event.email)
            if row.target is not None and row.target.contact_id:
                contacts.add(row.target.contact_id)
        summary.suppressed = store.suppress_many(session, suppressions)
        for reason, (addresses, contacts) in stops.items():
            summary.stopped += store.cancel_queued_many(session, workspace_id, addresses, contacts,
                                                        reason=reason)
    for event in fresh:
        record_event_metrics(event, provider)
    return summary


def record_event_metrics(event: TrackingEvent, provider: str) -> None:
    """What one provider event adds to the mail metrics. A ``blocked`` refusal is a soft bounce
    (reputation or content, not the address); a message ``dropped`` for a bounced address counts
    as a hard bounce, since it was accepted and will never arrive."""
    if event.kind == "delivered":
        metrics.record_delivered(provider)
    elif event.kind == "bounce":
        metrics.record_bounce(provider, hard=event.hard_bounce)
    elif event.kind == "blocked":
        metrics.record_bounce(provider, hard=False)
    elif event.kind == "dropped" and event.hard_bounce:
        metrics.record_bounce(provider, hard=True)
    elif event.kind == "spamreport":
        metrics.record_complaint(provider)
    elif event.kind in ("unsubscribe", "group_unsubscribe"):
        metrics.record_unsubscribe("link")


def _payload(event: TrackingEvent) -> dict[str, object]:
    return {"email": event.email, "reason": event.reason, "message_ref": event.message_ref,
            "hard_bounce": event.hard_bounce}
