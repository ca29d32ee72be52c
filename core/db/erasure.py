"""GDPR Art. 17 erasure of one recipient's personal data in a workspace, inside one transaction.

What goes: the contact rows, the drafts and approvals written to them, the address and body of
their outbox messages, event payloads about those messages, audit copies of edited drafts, and
the contact inside stored lead results. What stays: counts, statuses and a hashed suppression
entry, so the address is never mailed again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db.digests import email_hash, normalize_email
from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Contact,
    DraftRow,
    Event,
    LeadRow,
    OutboxMessage,
    Suppression,
)

ERASED = "[erased]"


def erased_address(email: str) -> str:
    """A stand-in for an erased address: stable per address, unroutable (.invalid)."""
    return f"erased-{email_hash(email)[:16]}@erased.invalid"


def erase_recipient(session: Session, workspace_id: str, email: str) -> dict[str, int]:
    address = normalize_email(email)
    contacts = list(session.scalars(select(Contact).where(
        Contact.workspace_id == workspace_id, func.lower(Contact.email) == address)))
    contact_ids = [c.id for c in contacts]
    company_ids = {c.company_id for c in contacts if c.company_id}
    drafts = list(session.scalars(select(DraftRow).where(DraftRow.contact_id.in_(contact_ids)))) if contact_ids else []
    approvals = list(session.scalars(select(ApprovalItem).where(
        ApprovalItem.draft_id.in_([d.id for d in drafts])))) if drafts else []
    match = func.lower(OutboxMessage.to_email) == address
    if contact_ids:
        match = match | OutboxMessage.contact_id.in_(contact_ids)
    outbox = list(session.scalars(select(OutboxMessage).where(OutboxMessage.workspace_id == workspace_id, match)))

    for draft in drafts:
        draft.subject, draft.body, draft.claims = ERASED, "", []
    for item in approvals:
        if item.approved_subject is not None:
            item.approved_subject, item.approved_body = ERASED, ""
    if approvals:
        for entry in session.scalars(select(AuditEntry).where(
                AuditEntry.object_id.in_([a.id for a in approvals]))):
            entry.before, entry.after = None, None
    for row in outbox:
        row.to_email, row.subject, row.body = erased_address(address), ERASED, ""
        if row.status in ("queued", "failed"):
            row.status, row.last_error = "cancelled", "erased"
    if outbox:
        for event in session.scalars(select(Event).where(Event.outbox_message_id.in_([o.id for o in outbox]))):
            event.payload = {"erased": True}
    leads = 0
    if company_ids:
        for lead in session.scalars(select(LeadRow).where(LeadRow.company_id.in_(company_ids))):
            cleaned = _without_recipient(lead.result, address)
            if cleaned != lead.result:
                lead.result, leads = cleaned, leads + 1
    for row in session.scalars(select(Suppression).where(Suppression.email_hash == email_hash(address))):
        row.email = None
    for contact in contacts:
        session.delete(contact)
    session.flush()
    return {"contacts": len(contacts), "drafts": len(drafts), "outbox": len(outbox), "leads": leads}


def _without_recipient(result: dict[str, Any], address: str) -> dict[str, Any]:
    contacts = result.get("contacts") or []
    kept = [c for c in contacts if normalize_email(c.get("email") or "") != address]
    drafts = []
    for draft in result.get("drafts") or []:
        if normalize_email(draft.get("to_email") or "") == address:
            draft = {**draft, "to_email": None, "to_name": None, "subject": ERASED, "body": "", "claims": []}
        drafts.append(draft)
    if len(kept) == len(contacts) and drafts == (result.get("drafts") or []):
        return result
    return {**result, "contacts": kept, "drafts": drafts}
