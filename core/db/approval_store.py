"""The review queue: approval items with their draft, company and contact; decisions."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.db.digests import content_hash
from core.db.lead_store import EDIT_ACTION
from core.db.store import Store
from core.db.tables import ApprovalItem, AuditEntry, Company, Contact, DraftRow, LeadRow, utcnow
from core.db.views import ApprovalView, CompanyRef, ContactRef, DraftContent
from core.errors import Conflict, InvalidInput, NotFound

Decision = Literal["approve", "reject", "edit"]


class ApprovalStore(Store):
    """Listing approval items and recording reviewer decisions (audited)."""

    def approval_items(
        self,
        campaign_id: str | None = None,
        *,
        workspace_id: str | None = None,
        status: str | None = "pending",
        order_by: Literal["score", "created_at"] = "score",
        limit: int = 50,
        offset: int = 0,
    ) -> list[ApprovalView]:
        query = _approval_query()
        if campaign_id is not None:
            query = query.where(ApprovalItem.campaign_id == campaign_id)
        if workspace_id is not None:
            query = query.where(ApprovalItem.workspace_id == workspace_id)
        if status is not None:
            query = query.where(ApprovalItem.status == status)
        if order_by == "score":
            query = query.order_by(ApprovalItem.score.desc().nulls_last(), ApprovalItem.created_at)
        else:
            query = query.order_by(ApprovalItem.created_at)
        query = query.order_by(DraftRow.step, ApprovalItem.id).limit(limit).offset(offset)
        with self._tx() as s:
            return [_approval_view(*row) for row in s.execute(query)]

    def approval_ids_for_lead(self, campaign_id: str, url: str) -> dict[str, int]:
        """Approval item id -> draft step for one lead of a campaign."""
        query = (
            select(ApprovalItem.id, DraftRow.step)
            .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
            .join(LeadRow, LeadRow.id == DraftRow.lead_id)
            .where(ApprovalItem.campaign_id == campaign_id, LeadRow.url == url)
        )
        with self._tx() as s:
            return {aid: step for aid, step in s.execute(query)}

    def decisions(self, campaign_id: str) -> dict[str, str]:
        """Decided approval items of a campaign: id -> "approve" | "reject"."""
        query = select(ApprovalItem.id, ApprovalItem.status).where(
            ApprovalItem.campaign_id == campaign_id,
            ApprovalItem.status.in_(("approved", "rejected")),
        )
        action = {"approved": "approve", "rejected": "reject"}
        with self._tx() as s:
            return {aid: action[status] for aid, status in s.execute(query)}

    def get_approval(self, approval_id: str, workspace_id: str | None = None) -> ApprovalView:
        with self._tx() as s:
            return _load_approval(s, approval_id, workspace_id)

    def decide(
        self,
        approval_id: str,
        action: Decision,
        actor: str,
        subject: str | None = None,
        body: str | None = None,
        *,
        workspace_id: str | None = None,
    ) -> ApprovalView:
        """approve (optionally with edited content), reject, or edit (stays pending).

        Repeating the decision an item already has is a no-op; the opposite one is a Conflict.
        Every change writes an audit_log row with the state before and after.
        """
        if action not in ("approve", "reject", "edit"):
            raise InvalidInput("action must be approve, reject or edit")
        with self._tx() as s:
            item = s.get(ApprovalItem, approval_id, with_for_update=True)
            if item is None or (workspace_id is not None and item.workspace_id != workspace_id):
                raise NotFound(f"approval item {approval_id} not found")
            draft = s.get_one(DraftRow, item.draft_id)
            before = _decision_state(item, draft)
            target = {"approve": "approved", "reject": "rejected", "edit": "pending"}[action]
            edits = subject is not None or body is not None
            if item.status == target and action != "edit":
                unchanged = not edits or (
                    (subject is None or subject == item.approved_subject)
                    and (body is None or body == item.approved_body)
                )
                if unchanged:
                    return _load_approval(s, approval_id, None)
            if item.status != "pending":
                raise Conflict(f"approval item {approval_id} is already {item.status}")
            if action == "edit" and not edits:
                raise InvalidInput("edit needs a subject or a body")
            if subject is not None:
                draft.subject = subject
            if body is not None:
                draft.body = body
            if action != "edit":
                item.status, item.decided_by, item.decided_at = target, actor, utcnow()
            if action == "approve":
                item.approved_subject, item.approved_body = draft.subject, draft.body
                item.approved_hash = content_hash(draft.subject, draft.body)
            s.add(AuditEntry(
                workspace_id=item.workspace_id, actor=actor,
                action=EDIT_ACTION if action == "edit" else f"approval.{action}",
                object_type="approval_item", object_id=item.id,
                before=before, after=_decision_state(item, draft),
            ))
            s.flush()
            return _load_approval(s, approval_id, None)


def _approval_query() -> Select:
    return (
        select(ApprovalItem, DraftRow, LeadRow, Company, Contact)
        .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
        .join(LeadRow, LeadRow.id == DraftRow.lead_id)
        .outerjoin(Company, Company.id == LeadRow.company_id)
        .outerjoin(Contact, Contact.id == DraftRow.contact_id)
    )


def _load_approval(session: Session, approval_id: str, workspace_id: str | None) -> ApprovalView:
    query = _approval_query().where(ApprovalItem.id == approval_id)
    if workspace_id is not None:
        query = query.where(ApprovalItem.workspace_id == workspace_id)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"approval item {approval_id} not found")
    return _approval_view(*row)


def _approval_view(
    item: ApprovalItem, draft: DraftRow, lead: LeadRow, company: Company | None, contact: Contact | None
) -> ApprovalView:
    return ApprovalView(
        id=item.id, workspace_id=item.workspace_id, campaign_id=item.campaign_id,
        lead_id=lead.id, lead_url=lead.url, status=item.status, score=item.score,
        flags=list(item.flags or []),
        company=CompanyRef(name=company.name, domain=company.domain) if company else None,
        contact=ContactRef(id=contact.id, name=contact.name, title=contact.title,
                           email=contact.email) if contact else None,
        draft=DraftContent(id=draft.id, step=draft.step, subject=draft.subject, body=draft.body,
                           claims=draft.claims or [], engine=draft.engine,
                           prompt_version=draft.prompt_version),
        decided_by=item.decided_by, decided_at=item.decided_at,
        approved_subject=item.approved_subject, approved_body=item.approved_body,
        approved_hash=item.approved_hash, created_at=item.created_at,
    )


def _decision_state(item: ApprovalItem, draft: DraftRow) -> dict[str, Any]:
    return {"status": item.status, "subject": draft.subject, "body": draft.body,
            "approved_hash": item.approved_hash}
