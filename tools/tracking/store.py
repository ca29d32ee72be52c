"""Tracking queries the Repository lacks, run inside one caller-owned transaction so a webhook
batch is written at once: resolving message refs, recording events, suppressing, stopping and
postponing a contact's queued outbox rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.db.digests import email_hash, normalize_email
from core.db.store import Store
from core.db.tables import ApprovalItem, DraftRow, Event, OutboxMessage, Suppression, new_id, utcnow

_CHUNK = 500
STOPPABLE = ("queued", "failed")  # the states core.db.outbox_store lets become "cancelled"


@dataclass(frozen=True, slots=True)
class OutboxTarget:
    """The outbox row an event or reply refers to, with what recording it needs."""

    id: str
    campaign_id: str
    contact_id: str | None
    lead_id: str | None
    to_email: str
    message_id: str
    subject: str
    status: str
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: str
    provider_event_id: str | None
    occurred_at: datetime
    payload: dict[str, Any]
    target: OutboxTarget | None = None


def sessions_of(source: Store | sessionmaker[Session]) -> sessionmaker[Session]:
    """Accept the Repository (any core.db Store) or a bare sessionmaker."""
    if isinstance(source, Store):
        return source._sessions  # noqa: SLF001 - the same Store family, one shared sessionmaker
    return source


@contextmanager
def transaction(source: Store | sessionmaker[Session]) -> Iterator[Session]:
    with sessions_of(source).begin() as session:
        yield session


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _targets_query():  # type: ignore[no-untyped-def]
    return (
        select(OutboxMessage.id, OutboxMessage.campaign_id, OutboxMessage.contact_id,
               DraftRow.lead_id, OutboxMessage.to_email, OutboxMessage.message_id,
               OutboxMessage.subject, OutboxMessage.status, OutboxMessage.sent_at,
               OutboxMessage.idempotency_key, OutboxMessage.provider_message_id)
        .outerjoin(ApprovalItem, ApprovalItem.id == OutboxMessage.approval_item_id)
        .outerjoin(DraftRow, DraftRow.id == ApprovalItem.draft_id)
    )


def _target(row: Any) -> OutboxTarget:
    return OutboxTarget(row.id, row.campaign_id, row.contact_id, row.lead_id, row.to_email,
                        row.message_id, row.subject, row.status, row.sent_at)


def ref_forms(ref: str) -> set[str]:
    """A ref as it may be stored: with or without angle brackets, or SendGrid's sg_message_id
    whose part before the first dot is the X-Message-Id we keep as provider_message_id."""
    bare = ref.strip().strip("<>")
    forms = {ref.strip(), bare, f"<{bare}>"}
    if "." in bare and "@" not in bare:
        forms.add(bare.split(".", 1)[0])
    return forms


def resolve_outbox(session: Session, workspace_id: str, refs: Iterable[str]) -> dict[str, OutboxTarget]:
    """Map each ref (our Message-ID, idempotency key or the provider's id) to its outbox row."""
    wanted = {ref: ref_forms(ref) for ref in set(refs) if ref}
    all_forms = sorted({form for forms in wanted.values() for form in forms})
    by_form: dict[str, OutboxTarget] = {}
    for chunk in _chunks(all_forms):
        query = _targets_query().where(
            OutboxMessage.workspace_id == workspace_id,
            or_(OutboxMessage.message_id.in_(chunk), OutboxMessage.idempotency_key.in_(chunk),
                OutboxMessage.provider_message_id.in_(chunk)),
        )
        for row in session.execute(query):
            target = _target(row)
            for key in (row.message_id, row.idempotency_key, row.provider_message_id):
                if key:
                    by_form[key] = target
    resolved = {}
    for ref, forms in wanted.items():
        hit = next((by_form[f] for f in sorted(forms) if f in by_form), None)
        if hit is not None:
            resolved[ref] = hit
    return resolved


def outbox_by_message_ids(session: Session, workspace_id: str, message_ids: Sequence[str]) -> list[OutboxTarget]:
    """Outbox rows whose Message-ID is among ``message_ids`` (References order kept)."""
    forms = {form: mid for mid in message_ids for form in ref_forms(mid)}
    found: dict[str, OutboxTarget] = {}
    for chunk in _chunks(sorted(forms)):
        query = _targets_query().where(OutboxMessage.workspace_id == workspace_id,
                                       OutboxMessage.message_id.in_(chunk))
        for row in session.execute(query):
            found[forms[row.message_id]] = _target(row)
    return [found[mid] for mid in message_ids if mid in found]


def last_sent_to(session: Session, workspace_id: str, email: str) -> list[OutboxTarget]:
    """Messages sent to this address, newest first (threading fallback for replies)."""
    query = (_targets_query()
             .where(OutboxMessage.workspace_id == workspace_id,
                    func.lower(OutboxMessage.to_email) == normalize_email(email),
                    OutboxMessage.status == "sent")
             .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.step.desc()).limit(50))
    return [_target(row) for row in session.execute(query)]


def insert_events(session: Session, workspace_id: str, events: Sequence[NewEvent]) -> list[bool]:
    """Insert events, skipping provider ids already stored or repeated in the batch.
    Returns, per event, whether it was new."""
    ids = sorted({e.provider_event_id for e in events if e.provider_event_id})
    seen: set[str] = set()
    for chunk in _chunks(ids):
        seen.update(session.scalars(select(Event.provider_event_id).where(Event.provider_event_id.in_(chunk))))
    created, rows = [], []
    now = utcnow()
    for event in events:
        pid = event.provider_event_id
        if pid is not None and pid in seen:
            created.append(False)
            continue
        if pid is not None:
            seen.add(pid)
        created.append(True)
        target = event.target
        rows.append({
            "id": new_id(), "workspace_id": workspace_id, "kind": event.kind,
            "campaign_id": target.campaign_id if target else None,
            "lead_id": target.lead_id if target else None,
            "outbox_message_id": target.id if target else None,
            "provider_event_id": pid, "payload": event.payload,
            "occurred_at": event.occurred_at, "created_at": now,
        })
    if rows:
        try:
            with session.begin_nested():
                session.execute(insert(Event), rows)
        except IntegrityError:
            # Another writer stored some of these ids since we looked: insert one by one.
            return _insert_one_by_one(session, events, rows, created)
    return created


def _insert_one_by_one(
    session: Session, events: Sequence[NewEvent], rows: list[dict[str, Any]], created: list[bool]
) -> list[bool]:
    pending = iter(rows)
    result = []
    for was_new in created:
        if not was_new:
            result.append(False)
            continue
        row = next(pending)
        try:
            with session.begin_nested():
                session.execute(insert(Event), [row])
            result.append(True)
        except IntegrityError:
            pid = row["provider_event_id"]
            if pid is None or session.scalar(select(Event.id).where(Event.provider_event_id == pid)) is None:
                raise  # not a duplicate: a real constraint failure (unknown workspace, ...)
            result.append(False)
    return result


def suppress(session: Session, workspace_id: str | None, email: str, reason: str) -> bool:
    """Suppress one address in the caller's transaction; True when a new row was written."""
    return bool(suppress_many(session, [(workspace_id, email, reason)]))


def suppress_many(session: Session, entries: Sequence[tuple[str | None, str, str]]) -> list[str]:
    """Suppress (workspace_id or None for global, email, reason) entries, keyed exactly as
    SuppressionStore does; returns the addresses newly suppressed, in order."""
    wanted: dict[tuple[str | None, str], tuple[str, str]] = {}
    for workspace_id, email, reason in entries:
        wanted.setdefault((workspace_id, email_hash(email)), (normalize_email(email), reason))
    if not wanted:
        return []
    hashes = sorted({key for _, key in wanted})
    existing: set[tuple[str | None, str]] = set()
    for chunk in _chunks(hashes):
        existing.update(
            (row.workspace_id, row.email_hash) for row in session.execute(
                select(Suppression.workspace_id, Suppression.email_hash)
                .where(Suppression.email_hash.in_(chunk)))
        )
    rows: list[dict[str, Any]] = [
        {"id": new_id(), "workspace_id": workspace_id, "email_hash": key, "email": email,
         "domain": None, "reason": reason, "created_at": utcnow()}
        for (workspace_id, key), (email, reason) in wanted.items()
        if (workspace_id, key) not in existing
    ]
    if not rows:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(Suppression), rows)
    except IntegrityError:
        # A concurrent writer suppressed some of them first: fall back to one at a time.
        added: list[str] = []
        for row in rows:
            try:
                with session.begin_nested():
                    session.execute(insert(Suppression), [row])
                added.append(str(row["email"]))
            except IntegrityError:
                continue
        return list(dict.fromkeys(added))
    return list(dict.fromkeys(str(row["email"]) for row in rows))


def cancel_queued(session: Session, workspace_id: str, email: str, campaign_id: str | None = None,
                  contact_id: str | None = None, reason: str = "stopped") -> int:
    """Cancel the not-yet-sent rows for this recipient (one campaign, or all in the workspace)."""
    return cancel_queued_many(session, workspace_id, [email],
                              [contact_id] if contact_id else [], campaign_id, reason)


def cancel_queued_many(session: Session, workspace_id: str, emails: Iterable[str],
                       contact_ids: Iterable[str] = (), campaign_id: str | None = None,
                       reason: str = "stopped") -> int:
    """Cancel the not-yet-sent rows of these recipients (by address or contact) in one pass."""
    addresses = sorted({normalize_email(e) for e in emails if e})
    contacts = sorted(set(contact_ids))
    total = 0
    for start in range(0, max(len(addresses), len(contacts)), _CHUNK):
        match: ColumnElement[bool] = func.lower(OutboxMessage.to_email).in_(addresses[start:start + _CHUNK])
        if contacts[start:start + _CHUNK]:
            match = match | OutboxMessage.contact_id.in_(contacts[start:start + _CHUNK])
        query = (update(OutboxMessage)
                 .where(OutboxMessage.workspace_id == workspace_id,
                        OutboxMessage.status.in_(STOPPABLE), match)
                 .values(status="cancelled", last_error=reason)
                 .execution_options(synchronize_session=False))
        if campaign_id is not None:
            query = query.where(OutboxMessage.campaign_id == campaign_id)
        total += int(getattr(session.execute(query), "rowcount", 0) or 0)
    return total


def postpone_queued(session: Session, workspace_id: str, campaign_id: str, email: str,
                    until: datetime, contact_id: str | None = None) -> int:
    """Shift this recipient's queued rows so the earliest is due at ``until``, keeping the gaps
    between steps; nothing moves when the earliest is already due after ``until``."""
    match = func.lower(OutboxMessage.to_email) == normalize_email(email)
    if contact_id is not None:
        match = match | (OutboxMessage.contact_id == contact_id)
    rows = list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.workspace_id == workspace_id,
                                    OutboxMessage.campaign_id == campaign_id,
                                    OutboxMessage.status == "queued", match)
    ))
    if not rows:
        return 0
    now = utcnow()
    earliest = min(row.due_at or now for row in rows)
    if earliest >= until:
        return 0
    shift = until - earliest
    for row in rows:
        row.due_at = (row.due_at or now) + shift
    session.flush()
    return len(rows)
