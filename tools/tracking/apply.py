"""What provider events do to leads and sequences: record each once, suppress and stop on hard
bounces, complaints and unsubscribes, and report blocks so the sequencer can pause a mailbox."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

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
    target: Store | sessionmaker[Session], workspace_id: str, events: Iterable[TrackingEvent]
) -> EventSummary:
    """Record ``events`` once each (by provider event id) and act on them, in one transaction.

    Only events seen for the first time act, so a retried webhook batch changes nothing twice.
    """
    batch = list(events)
    summary = EventSummary(received=len(batch))
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
        for event, row, is_new in zip(batch, rows, created, strict=True):
            if not is_new:
                summary.duplicates += 1
                continue
            summary.recorded += 1
            summary.by_kind[event.kind] = summary.by_kind.get(event.kind, 0) + 1
            _act(session, workspace_id, event, row.target, summary)
    return summary


def _act(session: Session, workspace_id: str, event: TrackingEvent,
         outbox: store.OutboxTarget | None, summary: EventSummary) -> None:
    if event.kind == "blocked":
        if event.email not in summary.blocked:
            summary.blocked.append(event.email)
        return
    rule = suppression_for(event)
    if rule is None:
        return
    reason, is_global = rule
    if store.suppress(session, None if is_global else workspace_id, event.email, reason):
        summary.suppressed.append(event.email)
    # A suppressed address is refused by the sender anyway; cancelling its queued rows in every
    # campaign of the workspace keeps the queue honest.
    summary.stopped += store.cancel_queued(
        session, workspace_id, event.email,
        contact_id=outbox.contact_id if outbox else None, reason=f"{event.kind}: {reason}",
    )


def _payload(event: TrackingEvent) -> dict[str, object]:
    return {"email": event.email, "reason": event.reason, "message_ref": event.message_ref,
            "hard_bounce": event.hard_bounce}
