"""The review queue: approval items with their draft, company and contact; decisions."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from core.db.digests import content_hash
from core.db.lead_store import EDIT_ACTION
from core.db.store import Store
from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Company,
    Contact,
    DraftRow,
    LeadRow,
    new_id,
    utcnow,
)
from core.db.views import ApprovalView, CompanyRef, ContactRef, DraftContent
from core.errors import Conflict, InvalidInput, LeadgenError, NotFound

Decision = Literal["approve", "reject", "edit"]
LOCK_CHUNK = 500  # ids per SELECT ... IN (...) when a bulk decision reads and locks its items


@dataclass(frozen=True)
class QueueCursor:
    """Where a queue page ended (keyset pagination): the sort key of its last item.

    ``encode()`` gives the opaque string the API hands out; ``decode`` refuses anything else.
    """

    score: int | None
    created_at: datetime
    id: str

    @classmethod
    def of(cls, view: ApprovalView) -> QueueCursor:
        return cls(view.score, view.created_at, view.id)

    def encode(self) -> str:
        raw = json.dumps([self.score, self.created_at.isoformat(), self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> QueueCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            score, created_at, item_id = json.loads(raw)
            when = datetime.fromisoformat(created_at)
            if when.tzinfo is None or not _plausible_key(score, item_id):
                raise ValueError("wrong cursor fields")
            when = when.astimezone(UTC)
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidInput("the cursor is not valid; use next_cursor from a previous page") from exc
        return cls(score, when, item_id)


def _plausible_key(score: Any, item_id: Any) -> bool:
    """A score a database integer holds and an id a database string holds (no NUL)."""
    score_ok = score is None or (type(score) is int and -(2**31) < score < 2**31)
    return score_ok and isinstance(item_id, str) and len(item_id) <= 64 and "\x00" not in item_id


@dataclass(frozen=True)
class BulkDecided:
    """An item a bulk decision left in the wanted state; ``changed`` is False when it already was."""

    id: str
    campaign_id: str
    lead_id: str
    fit: bool | None
    changed: bool


@dataclass
class BulkDecision:
    decided: list[BulkDecided]
    failed: list[tuple[str, LeadgenError]]


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
        after: QueueCursor | None = None,
    ) -> list[ApprovalView]:
        """One page of the queue, best score first (no score last), then oldest first.

        ``after`` (keyset pagination: the cursor of the last item of the previous page) is
        cheaper than ``offset`` deep in the queue; both may be combined. The page's ids are
        picked from ``approval_items`` alone (served by the queue indexes), then joined.
        """
        keys = select(ApprovalItem.id)
        if campaign_id is not None:
            keys = keys.where(ApprovalItem.campaign_id == campaign_id)
        if workspace_id is not None:
            keys = keys.where(ApprovalItem.workspace_id == workspace_id)
        if status is not None:
            keys = keys.where(ApprovalItem.status == status)
        if after is not None:
            keys = keys.where(_after(after, order_by))
        keys = keys.order_by(*_queue_order(order_by)).limit(limit).offset(offset)
        with self._tx() as s:
            ids = list(s.scalars(keys))
            if not ids:
                return []
            rows = {row.id: row for row in s.execute(_approval_query().where(ApprovalItem.id.in_(ids)))}
        return [_approval_view(rows[i]) for i in ids if i in rows]

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


    def decide_many(
        self,
        ids: Iterable[str],
        action: Literal["approve", "reject"],
        actor: str,
        *,
        workspace_id: str | None = None,
    ) -> BulkDecision:
        """approve or reject many items in one transaction: the items are read (and locked) in
        chunks, changed with one bulk UPDATE and audited with one bulk INSERT (a row per item).

        Per item the rules of ``decide`` hold: an unknown id fails with NotFound, an item with
        the opposite decision with Conflict, an item that already has this one is a no-op.
        """
        if action not in ("approve", "reject"):
            raise InvalidInput("a bulk action must be approve or reject")
        target = "approved" if action == "approve" else "rejected"
        wanted = list(dict.fromkeys(ids))
        outcome = BulkDecision(decided=[], failed=[])
        changes: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        now = utcnow()
        with self._tx() as s:
            found = {row.id: row for row in _locked_items(s, wanted, workspace_id)}
            for approval_id in wanted:
                row = found.get(approval_id)
                if row is None:
                    outcome.failed.append((approval_id, NotFound(f"approval item {approval_id} not found")))
                    continue
                if row.status not in ("pending", target):
                    outcome.failed.append(
                        (approval_id, Conflict(f"approval item {approval_id} is already {row.status}"))
                    )
                    continue
                changed = row.status == "pending"
                outcome.decided.append(BulkDecided(approval_id, row.campaign_id, row.lead_id, row.fit, changed))
                if not changed:
                    continue
                before = {"status": row.status, "subject": row.subject, "body": row.body,
                          "approved_hash": row.approved_hash}
                change: dict[str, Any] = {"id": approval_id, "status": target, "decided_by": actor,
                                          "decided_at": now}
                if action == "approve":
                    change.update(approved_subject=row.subject, approved_body=row.body,
                                  approved_hash=content_hash(row.subject, row.body))
                changes.append(change)
                audits.append({
                    "id": new_id(), "workspace_id": row.workspace_id, "actor": actor,
                    "action": f"approval.{action}", "object_type": "approval_item",
                    "object_id": approval_id, "before": before,
                    "after": {**before, "status": target,
                              "approved_hash": change.get("approved_hash", row.approved_hash)},
                    "at": now,
                })
            if changes:
                s.execute(update(ApprovalItem), changes)  # bulk UPDATE by primary key
                s.execute(insert(AuditEntry), audits)
        return outcome


def _queue_order(order_by: Literal["score", "created_at"]) -> tuple:
    """The queue order; a total order (``id`` last), so keyset cursors never skip or repeat."""
    if order_by == "score":
        return ApprovalItem.score.desc().nulls_last(), ApprovalItem.created_at, ApprovalItem.id
    return ApprovalItem.created_at, ApprovalItem.id


def _after(cursor: QueueCursor, order_by: Literal["score", "created_at"]) -> ColumnElement[bool]:
    """Items strictly after ``cursor`` in ``_queue_order(order_by)``."""
    item = ApprovalItem
    later = or_(item.created_at > cursor.created_at,
                and_(item.created_at == cursor.created_at, item.id > cursor.id))
    if order_by == "created_at":
        return later
    if cursor.score is None:
        return and_(item.score.is_(None), later)
    return or_(item.score < cursor.score, item.score.is_(None),
               and_(item.score == cursor.score, later))


_VIEW_COLUMNS = (
    ApprovalItem.id, ApprovalItem.workspace_id, ApprovalItem.campaign_id, ApprovalItem.status,
    ApprovalItem.score, ApprovalItem.flags, ApprovalItem.decided_by, ApprovalItem.decided_at,
    ApprovalItem.approved_subject, ApprovalItem.approved_body, ApprovalItem.approved_hash,
    ApprovalItem.created_at,
    LeadRow.id.label("lead_id"), LeadRow.url.label("lead_url"),
    Company.name.label("company_name"), Company.domain.label("company_domain"),
    Contact.id.label("contact_id"), Contact.name.label("contact_name"),
    Contact.title.label("contact_title"), Contact.email.label("contact_email"),
    DraftRow.id.label("draft_id"), DraftRow.step, DraftRow.subject, DraftRow.body, DraftRow.claims,
    DraftRow.engine, DraftRow.prompt_version,
)


def _approval_query() -> Select:
    """Only the columns a view shows: never the lead's stored result or the company profile."""
    return (
        select(*_VIEW_COLUMNS)
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
    return _approval_view(row)


def _approval_view(row: Row) -> ApprovalView:
    return ApprovalView(
        id=row.id, workspace_id=row.workspace_id, campaign_id=row.campaign_id,
        lead_id=row.lead_id, lead_url=row.lead_url, status=row.status, score=row.score,
        flags=list(row.flags or []),
        company=(CompanyRef(name=row.company_name, domain=row.company_domain)
                 if row.company_domain is not None else None),
        contact=(ContactRef(id=row.contact_id, name=row.contact_name, title=row.contact_title,
                            email=row.contact_email) if row.contact_id is not None else None),
        draft=DraftContent(id=row.draft_id, step=row.step, subject=row.subject, body=row.body,
                           claims=row.claims or [], engine=row.engine,
                           prompt_version=row.prompt_version),
        decided_by=row.decided_by, decided_at=row.decided_at,
        approved_subject=row.approved_subject, approved_body=row.approved_body,
        approved_hash=row.approved_hash, created_at=row.created_at,
    )


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for first in range(0, len(values), size):
        yield values[first:first + size]


def _locked_items(session: Session, ids: list[str], workspace_id: str | None) -> Iterator[Row]:
    """What a bulk decision needs of each item, rows locked (PostgreSQL) in id order, so two
    concurrent bulk decisions cannot deadlock; SQLite's BEGIN IMMEDIATE already serialises."""
    for chunk in _chunks(sorted(ids), LOCK_CHUNK):
        query = (
            select(ApprovalItem.id, ApprovalItem.workspace_id, ApprovalItem.campaign_id,
                   ApprovalItem.status, ApprovalItem.approved_hash, DraftRow.subject, DraftRow.body,
                   DraftRow.lead_id, LeadRow.fit)
            .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
            .join(LeadRow, LeadRow.id == DraftRow.lead_id)
            .where(ApprovalItem.id.in_(chunk))
            .order_by(ApprovalItem.id)
            .with_for_update(of=ApprovalItem)
        )
        if workspace_id is not None:
            query = query.where(ApprovalItem.workspace_id == workspace_id)
        yield from session.execute(query)


def _decision_state(item: ApprovalItem, draft: DraftRow) -> dict[str, Any]:
    return {"status": item.status, "subject": draft.subject, "body": draft.body,
            "approved_hash": item.approved_hash}
