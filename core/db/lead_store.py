"""Writing one researched ``Lead`` into its tables: company, contacts, lead, evidence, drafts, approvals;
and reading back the stored leads of given URLs (a page of approval items needs only its own).

Idempotent: saving the same lead twice changes nothing; saving an updated lead updates rows in
place and never touches a draft a reviewer already edited or decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.db.digests import normalize_domain, normalize_email
from core.db.store import Store, owned
from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Base,
    Campaign,
    Company,
    Contact,
    DraftRow,
    EvidenceRow,
    LeadRow,
    new_id,
    utcnow,
)
from core.models import Contact as ContactModel
from core.models import Draft, Lead

EDIT_ACTION = "approval.edit"


class LeadStore(Store):
    """Stored leads looked up by URL, without loading the rest of their campaign."""

    def leads_by_urls(
        self, campaign_id: str, urls: Iterable[str], workspace_id: str | None = None
    ) -> list[Lead]:
        """The stored leads of ``campaign_id`` whose URL is in ``urls``, in campaign order.

        One query, for a page's worth of URLs (the reviewer queue asks for at most a page);
        unknown URLs are left out. The campaign must belong to ``workspace_id`` when one is
        given (``NotFound`` otherwise), as in ``campaign_leads``.
        """
        if isinstance(urls, str):
            raise TypeError("urls must be a collection of URLs, not one string")
        wanted = sorted(set(urls))
        with self._tx() as s:
            owned(s, Campaign, campaign_id, workspace_id)
            if not wanted:
                return []
            results = s.scalars(
                select(LeadRow.result)
                .where(LeadRow.campaign_id == campaign_id, LeadRow.url.in_(wanted))
                .order_by(LeadRow.input_index, LeadRow.url)
            )
            return [Lead.model_validate(result) for result in results]


def upsert(
    session: Session,
    model: type[Base],
    values: dict[str, Any],
    keys: list[str],
    *,
    replace: tuple[str, ...] = (),
    fill: tuple[str, ...] = (),
    also: dict[str, Any] | None = None,
) -> str:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, returning the row id (SQLite and PostgreSQL).

    On conflict, ``replace`` columns take the new value, ``fill`` columns take it only when
    it is not NULL (a later save without a name keeps the name we had), ``also`` is set as is.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(id=new_id(), **values)
    current = model.__table__.c  # type: ignore[attr-defined]
    set_: dict[str, Any] = {name: stmt.excluded[name] for name in replace}
    set_ |= {name: func.coalesce(stmt.excluded[name], current[name]) for name in fill}
    set_ |= also or {}
    upserted = stmt.on_conflict_do_update(index_elements=keys, set_=set_).returning(current.id)
    return session.execute(upserted).scalar_one()


def store_lead(session: Session, campaign: Campaign, lead: Lead) -> str:
    workspace_id = campaign.workspace_id
    company_id = _save_company(session, workspace_id, lead)
    contact_ids = {
        contact.email and normalize_email(contact.email): _save_contact(
            session, workspace_id, company_id, contact
        )
        for contact in lead.contacts
    }
    qualification = lead.qualification
    lead_id = upsert(
        session,
        LeadRow,
        {
            "workspace_id": workspace_id,
            "campaign_id": campaign.id,
            "company_id": company_id,
            "url": lead.url,
            "input_index": lead.index,
            "status": lead.status,
            "score": qualification.score if qualification else None,
            "fit": qualification.fit if qualification else None,
            "qualification": qualification.model_dump(mode="json") if qualification else None,
            "result": lead.model_dump(mode="json"),
            "error": lead.error,
        },
        keys=["campaign_id", "url"],
        replace=(
            "company_id", "input_index", "status", "score", "fit", "qualification", "result", "error",
        ),
        also={"updated_at": utcnow()},
    )
    _replace_evidence(session, lead_id, lead)
    for draft in lead.drafts:
        contact_id = _draft_contact(session, workspace_id, company_id, draft, contact_ids)
        _save_draft(session, campaign, lead_id, contact_id, draft, qualification.score if qualification else None)
    return lead_id


def _save_company(session: Session, workspace_id: str, lead: Lead) -> str | None:
    if lead.company is None:
        return None
    company = lead.company
    return upsert(
        session,
        Company,
        {
            "workspace_id": workspace_id,
            "domain": normalize_domain(company.domain),
            "name": company.name,
            "profile": company.model_dump(mode="json"),
        },
        keys=["workspace_id", "domain"],
        replace=("profile",),
        fill=("name",),
    )


def _save_contact(
    session: Session, workspace_id: str, company_id: str | None, contact: ContactModel
) -> str:
    email = normalize_email(contact.email) if contact.email else None
    values = {
        "workspace_id": workspace_id,
        "company_id": company_id,
        "name": contact.name,
        "title": contact.title,
        "email": email,
        "email_status": contact.email_status,
        "source_url": contact.source_url,
    }
    if email and company_id:
        return upsert(
            session, Contact, values, ["workspace_id", "company_id", "email"],
            fill=("name", "title", "email_status", "source_url"),
        )
    # NULLs never conflict in a unique constraint: match contacts without an e-mail (or
    # without a company) by what identifies them instead.
    query = select(Contact).where(
        Contact.workspace_id == workspace_id,
        Contact.company_id.is_(None) if company_id is None else Contact.company_id == company_id,
        Contact.email.is_(None) if email is None else Contact.email == email,
        Contact.name.is_(None) if contact.name is None else Contact.name == contact.name,
    )
    if email is None and contact.name is None:
        query = query.where(
            Contact.title.is_(None) if contact.title is None else Contact.title == contact.title
        )
    row = session.scalars(query.limit(1)).first()
    if row is None:
        row = Contact(**values)
        session.add(row)
    else:
        for key in ("title", "email_status", "source_url"):
            if values[key] is not None:
                setattr(row, key, values[key])
    session.flush()
    return row.id


def _replace_evidence(session: Session, lead_id: str, lead: Lead) -> None:
    session.execute(delete(EvidenceRow).where(EvidenceRow.lead_id == lead_id))
    rows: list[tuple[str, str, str]] = []
    if lead.qualification:
        rows += [(e.claim, e.source_url, "qualification") for e in lead.qualification.evidence]
    if lead.company:
        rows += [(s.text, s.source_url, f"signal:{s.kind}") for s in lead.company.signals]
        rows += [(f.claim, f.source_url, "fact") for f in lead.company.facts]
    seen: set[tuple[str, str, str]] = set()
    for claim, source_url, kind in rows:
        if (claim, source_url, kind) in seen:
            continue
        seen.add((claim, source_url, kind))
        session.add(EvidenceRow(lead_id=lead_id, claim=claim, source_url=source_url, kind=kind[:40]))


def _draft_contact(
    session: Session,
    workspace_id: str,
    company_id: str | None,
    draft: Draft,
    contact_ids: dict[str | None, str],
) -> str | None:
    if draft.to_email:
        email = normalize_email(draft.to_email)
        if email not in contact_ids:
            contact_ids[email] = _save_contact(
                session, workspace_id, company_id, ContactModel(name=draft.to_name, email=email)
            )
        return contact_ids[email]
    return next((cid for email, cid in contact_ids.items() if email), None)


def _save_draft(
    session: Session,
    campaign: Campaign,
    lead_id: str,
    contact_id: str | None,
    draft: Draft,
    score: int | None,
) -> None:
    content = {
        "contact_id": contact_id,
        "subject": draft.subject,
        "body": draft.body,
        "claims": [claim.model_dump(mode="json") for claim in draft.claims],
        "engine": draft.engine,
        "prompt_version": draft.prompt_version,
        "prompt_sha256": draft.prompt_sha256,
        "flags": list(draft.flags),
    }
    row = session.scalars(
        select(DraftRow).where(DraftRow.lead_id == lead_id, DraftRow.step == draft.step)
    ).first()
    if row is None:
        row = DraftRow(workspace_id=campaign.workspace_id, lead_id=lead_id, step=draft.step, **content)
        session.add(row)
        session.flush()
    item = session.scalars(select(ApprovalItem).where(ApprovalItem.draft_id == row.id)).first()
    if item is None:
        session.add(
            ApprovalItem(
                workspace_id=campaign.workspace_id,
                campaign_id=campaign.id,
                draft_id=row.id,
                status="pending",
                score=score,
                flags=list(draft.flags),
            )
        )
        session.flush()
        return
    if item.status != "pending" or _was_edited(session, item.id):
        return  # a reviewer owns this draft now
    for key, value in content.items():
        setattr(row, key, value)
    item.score = score
    item.flags = list(draft.flags)


def _was_edited(session: Session, approval_id: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    AuditEntry.object_type == "approval_item",
                    AuditEntry.object_id == approval_id,
                    AuditEntry.action == EDIT_ACTION,
                )
            )
        )
    )
