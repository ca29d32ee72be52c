"""Tracked responses for every workspace at once: provider event batches and inbound replies are
matched to the outbox message (and so the workspace) they concern, applied (suppress, stop, pause),
checked against the reputation guardrails and recorded as outcomes in the memory."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from agents import guardrails
from agents.outcomes import event_outcome, record_outcome, reply_outcome
from agents.send_policy import SendPolicy
from core.db.digests import normalize_email
from core.db.store import Store
from core.db.tables import OutboxMessage
from tools.tracking import store
from tools.tracking.apply import apply_events
from tools.tracking.inbound import InboundMessage, message_ids, parse_inbound
from tools.tracking.replies import ReplyClassifier, apply_reply, classify_message, read_reply
from tools.tracking.types import ReplyResult, TrackingEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxOwner:
    """Where an outbox message belongs: enough to route an event and pause its mailbox."""

    outbox_id: str
    workspace_id: str
    campaign_id: str
    mailbox: str | None


@dataclass
class EventIngest:
    """What one webhook batch did, summed over the workspaces it touched."""

    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    unmatched: int = 0
    suppressed: list[str] = field(default_factory=list)
    stopped: int = 0
    blocked: list[str] = field(default_factory=list)
    paused_campaigns: list[str] = field(default_factory=list)
    paused_mailboxes: list[str] = field(default_factory=list)
    outcomes: int = 0


@dataclass
class ReplyIngest:
    """What one inbound message did; ``matched`` is False when no workspace sent to its author."""

    kind: str
    matched: bool
    recorded: bool = False
    workspace_id: str | None = None
    campaign_id: str | None = None
    cancelled: int = 0
    postponed: int = 0
    suppressed: bool = False
    outcome: str | None = None


def outbox_owners(target: Store, refs: Iterable[str]) -> dict[str, OutboxOwner]:
    """Each ref (our Message-ID, idempotency key or the provider's message id) -> its outbox row,
    across all workspaces: provider webhooks are global, not per user."""
    wanted = {ref: store.ref_forms(ref) for ref in set(refs) if ref}
    forms = sorted({form for group in wanted.values() for form in group})
    by_form: dict[str, OutboxOwner] = {}
    with store.transaction(target) as session:
        for start in range(0, len(forms), 500):
            chunk = forms[start:start + 500]
            query = select(
                OutboxMessage.id, OutboxMessage.workspace_id, OutboxMessage.campaign_id,
                OutboxMessage.mailbox, OutboxMessage.message_id, OutboxMessage.idempotency_key,
                OutboxMessage.provider_message_id,
            ).where(or_(OutboxMessage.message_id.in_(chunk), OutboxMessage.idempotency_key.in_(chunk),
                        OutboxMessage.provider_message_id.in_(chunk)))
            for row in session.execute(query):
                owner = OutboxOwner(row.id, row.workspace_id, row.campaign_id, row.mailbox)
                for key in (row.message_id, row.idempotency_key, row.provider_message_id):
                    if key:
                        by_form[key] = owner
    found = {}
    for ref, group in wanted.items():
        hit = next((by_form[form] for form in sorted(group) if form in by_form), None)
        if hit is not None:
            found[ref] = hit
    return found


async def ingest_events(repository: Store, events: list[TrackingEvent], *, memory: Any | None,
                        policy: SendPolicy, now: datetime) -> EventIngest:
    """Apply a verified provider batch: per workspace once each (by provider event id), then the
    guardrails of every campaign with new events, blocked mailboxes paused, outcomes recorded.
    Events about no message of ours are counted as unmatched and otherwise ignored."""
    run = asyncio.to_thread
    owners = await run(outbox_owners, repository, (e.message_ref for e in events if e.message_ref))
    by_workspace: dict[str, list[TrackingEvent]] = defaultdict(list)
    summary = EventIngest(received=len(events))
    for event in events:
        owner = owners.get(event.message_ref) if event.message_ref else None
        if owner is None:
            summary.unmatched += 1
        else:
            by_workspace[owner.workspace_id].append(event)
    for workspace_id, batch in by_workspace.items():
        applied = await run(apply_events, repository, workspace_id, batch)
        summary.recorded += applied.recorded
        summary.duplicates += applied.duplicates
        summary.stopped += applied.stopped
        summary.suppressed += [a for a in applied.suppressed if a not in summary.suppressed]
        summary.blocked += [a for a in applied.blocked if a not in summary.blocked]
        if not applied.recorded:
            continue  # a replayed batch: everything below already happened
        touched = [owners[e.message_ref] for e in batch if e.message_ref]
        await _pause_blocked(repository, batch, owners, applied.blocked, now, summary)
        for campaign_id in dict.fromkeys(o.campaign_id for o in touched):
            verdict = await guardrails.check_campaign(repository, campaign_id, now=now, policy=policy)
            if verdict.pause:
                summary.paused_campaigns.append(campaign_id)
        if memory is not None:
            summary.outcomes += await run(_record_event_outcomes, repository, memory, batch, owners)
    return summary


async def _pause_blocked(repository: Store, batch: list[TrackingEvent], owners: dict[str, OutboxOwner],
                         blocked: list[str], now: datetime, summary: EventIngest) -> None:
    """A provider refusing our mail for reputation pauses the mailbox that sent it."""
    for event in batch:
        owner = owners.get(event.message_ref or "")
        if event.kind != "blocked" or event.email not in blocked or owner is None or not owner.mailbox:
            continue
        if owner.mailbox in summary.paused_mailboxes:
            continue
        await guardrails.pause_mailbox(repository, owner.workspace_id, owner.campaign_id, owner.mailbox,
                                       f"provider blocked mail to {event.email}: {event.reason or 'blocked'}",
                                       now)
        summary.paused_mailboxes.append(owner.mailbox)


def _record_event_outcomes(repository: Store, memory: Any, batch: list[TrackingEvent],
                           owners: dict[str, OutboxOwner]) -> int:
    recorded = 0
    for event in batch:
        kind = event_outcome(event)
        owner = owners.get(event.message_ref or "")
        if kind is None or owner is None:
            continue
        if record_outcome(repository, memory, outbox_message=owner.outbox_id, kind=kind) is not None:
            recorded += 1
    return recorded


def reply_workspace(repository: Store, message: InboundMessage, result: ReplyResult) -> str | None:
    """The workspace whose mail ``message`` answers: by the Message-IDs it threads to (for a
    bounce also the returned original's), else the last workspace that mailed its author."""
    ids = list(message.thread_ids)
    if result.kind in ("bounce", "delivery_delayed"):
        ids = [*([result.message_ref] if result.message_ref else []), *ids, *message_ids(message.text)]
    if ids:
        owners = outbox_owners(repository, ids)
        for ref in ids:
            if ref in owners:
                return owners[ref].workspace_id
    address = result.bounced_email or message.from_email
    if not address:
        return None
    query = (select(OutboxMessage.workspace_id)
             .where(func.lower(OutboxMessage.to_email) == normalize_email(address),
                    OutboxMessage.status == "sent")
             .order_by(OutboxMessage.sent_at.desc()).limit(1))
    with store.transaction(repository) as session:
        return session.scalar(query)


def read_and_apply_reply(repository: Store, data: bytes | str | Mapping[str, str] | InboundMessage, *,
                         memory: Any | None, now: datetime,
                         llm: ReplyClassifier | None = None) -> ReplyIngest:
    """Classify an inbound message, thread it to the workspace and outbox message it answers,
    apply it (stop, pause or suppress the sequence) once, and record its outcome. Blocking."""
    message = data if isinstance(data, InboundMessage) else parse_inbound(data)
    guess = classify_message(message, llm=llm)
    workspace_id = reply_workspace(repository, message, guess)
    if workspace_id is None:
        return ReplyIngest(kind=guess.kind, matched=False)
    result = read_reply(repository, workspace_id, message, llm=llm)
    if result.message_id is None:  # no Message-ID: the content is its identity, for de-duplication
        digest = hashlib.sha256(f"{message.from_email}\n{message.subject}\n{message.text}".encode()).hexdigest()
        result = replace(result, message_id=f"<sha256.{digest}@inbound>")
    applied = apply_reply(repository, workspace_id, result, now=now)
    ingest = ReplyIngest(
        kind=result.kind, matched=True, recorded=applied.recorded, workspace_id=workspace_id,
        campaign_id=applied.campaign_id, cancelled=applied.cancelled, postponed=applied.postponed,
        suppressed=applied.suppressed,
    )
    kind = reply_outcome(result)
    if memory is not None and applied.recorded and applied.outbox_message_id and kind is not None:
        outcome = record_outcome(repository, memory, outbox_message=applied.outbox_message_id, kind=kind)
        ingest.outcome = outcome.kind if outcome else None
    return ingest


def record_reply_outcomes(repository: Store, memory: Any, workspace_id: str,
                          results: Iterable[ReplyResult]) -> int:
    """Outcomes of replies applied elsewhere (the IMAP poller): each threaded reply with a kind
    that says something about the lead. Re-recording is harmless (memory upserts)."""
    recorded = 0
    results = list(results)
    refs = [r.message_ref for r in results if r.message_ref and reply_outcome(r) is not None]
    with store.transaction(repository) as session:
        targets = {t.message_id: t for t in store.outbox_by_message_ids(session, workspace_id, refs)}
    for result in results:
        kind = reply_outcome(result)
        target = targets.get(result.message_ref or "")
        if kind is None or target is None:
            continue
        if record_outcome(repository, memory, outbox_message=target.id, kind=kind) is not None:
            recorded += 1
    return recorded
