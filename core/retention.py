"""Erasing personal data of old leads from the database, keeping what the product still needs.

A lead is erased when it was last touched before the cutoff, its campaign is no longer live and
no message of it is still queued, sending or recent. Erasing blanks contacts' names, e-mails and
titles, draft and outbox subjects and bodies (generated copy names the person), outbox addresses,
event payloads and the same fields inside the stored result line; suppression rows keep their hash (so the address stays suppressed) and lose
the plain address. Scores, companies, evidence and counts stay for reporting.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, null, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Campaign,
    Contact,
    DraftRow,
    Event,
    LeadRow,
    OutboxMessage,
    Suppression,
)
from core.errors import InvalidInput

# A lead of a campaign in one of these states may still be reviewed or mailed.
LIVE_CAMPAIGN_STATUSES = ("running", "awaiting_approval", "sending", "paused")
PENDING_OUTBOX_STATUSES = ("queued", "sending")
_CHUNK = 500  # ids per IN (...) clause; SQLite allows 999 bound parameters by default


@dataclass
class PersonalDataPurge:
    """What an erasure changed (or, in a dry run, would change): rows per kind."""

    leads: int = 0
    contacts: int = 0
    drafts: int = 0
    approvals: int = 0
    outbox_messages: int = 0
    events: int = 0
    audit_entries: int = 0
    suppressions: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def cutoff_for(now: datetime, days: int) -> datetime | None:
    """``now - days``; None when ``days`` is 0 (keep forever)."""
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware")
    if days < 0:
        raise InvalidInput("retention days must be 0 (keep forever) or more")
    return now - timedelta(days=days) if days else None


def purge_personal_data(
    sessions: sessionmaker[Session], cutoff: datetime, *, dry_run: bool = False
) -> PersonalDataPurge:
    """Erase personal data of leads older than ``cutoff`` in one transaction (rolled back when
    ``dry_run``)."""
    with sessions() as session:
        try:
            report = _purge(session, cutoff)
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return report


def _purge(s: Session, cutoff: datetime) -> PersonalDataPurge:
    report = PersonalDataPurge()
    leads = _purgeable_leads(s, cutoff)
    drafts = _ids(s, (select(DraftRow.id).where(DraftRow.lead_id.in_(chunk)) for chunk in _chunks(leads)))
    approvals = _ids(s, (
        select(ApprovalItem.id).where(ApprovalItem.draft_id.in_(chunk)) for chunk in _chunks(drafts)
    ))
    contacts = _erasable_contacts(s, leads, cutoff)
    outbox = _ids(s, (
        select(OutboxMessage.id).where(
            or_(OutboxMessage.approval_item_id.in_(chunk), OutboxMessage.contact_id.in_(chunk)),
            OutboxMessage.status.not_in(PENDING_OUTBOX_STATUSES),
        )
        for chunk in _chunks(approvals | contacts)
    ))

    report.contacts = _update(s, Contact, contacts, {
        "name": None, "title": None, "email": None, "email_status": None,
    }, or_(Contact.name.is_not(None), Contact.title.is_not(None), Contact.email.is_not(None)))
    report.drafts = _update(s, DraftRow, drafts, {"subject": "", "body": ""},
                            or_(DraftRow.subject != "", DraftRow.body != ""))
    report.approvals = _update(
        s, ApprovalItem, approvals, {"approved_subject": None, "approved_body": None},
        or_(ApprovalItem.approved_subject.is_not(None), ApprovalItem.approved_body.is_not(None)),
    )
    report.outbox_messages = _update(
        s, OutboxMessage, outbox, {"to_email": "", "subject": "", "body": ""},
        or_(OutboxMessage.to_email != "", OutboxMessage.subject != "", OutboxMessage.body != ""),
    )
    events = _ids(s, (
        select(Event.id).where(or_(Event.lead_id.in_(chunk), Event.outbox_message_id.in_(chunk)))
        for chunk in _chunks(leads | outbox)
    ))
    report.events = _update(s, Event, events, {"payload": null()}, Event.payload.is_not(None))
    report.audit_entries = _erase_audit_texts(s, approvals)
    report.leads = _erase_result_lines(s, leads)
    report.suppressions = cast(CursorResult[Any], s.execute(
        update(Suppression)
        .where(Suppression.created_at < cutoff, Suppression.email.is_not(None))
        .values(email=None)
        .execution_options(synchronize_session=False)
    )).rowcount
    return report


def _purgeable_leads(s: Session, cutoff: datetime) -> set[str]:
    old = _ids(s, [
        select(LeadRow.id).join(Campaign, Campaign.id == LeadRow.campaign_id).where(
            LeadRow.updated_at < cutoff, Campaign.status.not_in(LIVE_CAMPAIGN_STATUSES)
        )
    ])
    busy = _ids(s, (
        select(DraftRow.lead_id)
        .join(ApprovalItem, ApprovalItem.draft_id == DraftRow.id)
        .join(OutboxMessage, OutboxMessage.approval_item_id == ApprovalItem.id)
        .where(
            DraftRow.lead_id.in_(chunk),
            or_(
                OutboxMessage.status.in_(PENDING_OUTBOX_STATUSES),
                OutboxMessage.created_at >= cutoff,
                OutboxMessage.sent_at >= cutoff,
            ),
        )
        for chunk in _chunks(old)
    ))
    return old - busy


def _erasable_contacts(s: Session, leads: set[str], cutoff: datetime) -> set[str]:
    """Contacts of the erased leads that no kept lead (or pending message) still needs.

    A contact belongs to a company, and a company can be a lead of a newer campaign too."""
    lead_companies = s.execute(select(LeadRow.id, LeadRow.company_id)).all()
    draft_contacts = s.execute(
        select(DraftRow.lead_id, DraftRow.contact_id).where(DraftRow.contact_id.is_not(None))
    ).all()
    kept_companies = {company for lead, company in lead_companies if lead not in leads and company}
    erased_companies = {company for lead, company in lead_companies if lead in leads and company}
    candidates = _ids(s, (
        select(Contact.id).where(Contact.company_id.in_(chunk)) for chunk in _chunks(erased_companies)
    )) | {contact for lead, contact in draft_contacts if lead in leads and contact}
    protected = _ids(s, (
        select(Contact.id).where(Contact.company_id.in_(chunk)) for chunk in _chunks(kept_companies)
    )) | {contact for lead, contact in draft_contacts if lead not in leads and contact} | _ids(s, [
        select(OutboxMessage.contact_id).where(
            OutboxMessage.contact_id.is_not(None),
            or_(OutboxMessage.status.in_(PENDING_OUTBOX_STATUSES), OutboxMessage.created_at >= cutoff),
        ),
    ])
    return candidates - protected


def _erase_result_lines(s: Session, leads: set[str]) -> int:
    changed = 0
    for chunk in _chunks(leads):
        for row in s.scalars(select(LeadRow).where(LeadRow.id.in_(chunk))):
            result = _erased_result(row.result or {})
            if result != row.result:
                row.result = result
                changed += 1
    s.flush()
    return changed


def _erased_result(result: dict[str, Any]) -> dict[str, Any]:
    erased = dict(result)
    erased["contacts"] = [
        {**contact, "name": None, "title": None, "email": None}
        for contact in result.get("contacts") or []
    ]
    erased["drafts"] = [
        {**draft, "subject": "", "body": "", "to_email": None, "to_name": None}
        for draft in result.get("drafts") or []
    ]
    return erased


def _erase_audit_texts(s: Session, approvals: set[str]) -> int:
    changed = 0
    for chunk in _chunks(approvals):
        entries = s.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "approval_item", AuditEntry.object_id.in_(chunk)
        ))
        for entry in entries:
            before, after = _without_texts(entry.before), _without_texts(entry.after)
            if (before, after) != (entry.before, entry.after):
                entry.before, entry.after = before, after
                changed += 1
    s.flush()
    return changed


def _without_texts(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if not state or not (state.get("subject") or state.get("body")):
        return state
    return {**state, "subject": "", "body": ""}


def _update(s: Session, model: Any, ids: set[str], values: dict[str, Any], dirty: Any) -> int:
    changed = 0
    for chunk in _chunks(ids):
        result = s.execute(
            update(model).where(model.id.in_(chunk), dirty).values(**values)
            .execution_options(synchronize_session=False)
        )
        changed += cast(CursorResult[Any], result).rowcount
    return changed


def _ids(s: Session, queries: Iterable[Select[Any]]) -> set[str]:
    found: set[str] = set()
    for query in queries:
        found.update(value for value in s.scalars(query) if value is not None)
    return found


def _chunks(ids: Collection[str]) -> list[list[str]]:
    ordered = sorted(ids)
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]
