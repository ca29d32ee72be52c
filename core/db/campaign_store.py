"""Campaigns, their leads and per-stage progress counts."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db.lead_store import store_lead
from core.db.store import Store, owned
from core.db.tables import (
    APPROVAL_STATUSES,
    CAMPAIGN_STATUSES,
    OUTBOX_STATUSES,
    ApprovalItem,
    Campaign,
    LeadRow,
    OutboxMessage,
    Workspace,
    utcnow,
)
from core.db.views import CampaignView
from core.errors import Conflict, InvalidInput, NotFound
from core.models import CampaignBrief, Lead


class CampaignStore(Store):
    """Campaigns and the leads saved into them."""

    def create_campaign(
        self,
        brief: CampaignBrief,
        inputs: list[str],
        *,
        workspace_id: str,
        thread_id: str | None = None,
        engine: str = "rules",
        discovery: dict[str, Any] | None = None,
    ) -> str:
        with self._tx() as s:
            if s.get(Workspace, workspace_id) is None:
                raise NotFound(f"workspace {workspace_id} not found")
            campaign_id = str(uuid.uuid4())
            s.add(Campaign(
                id=campaign_id, workspace_id=workspace_id, name=brief.name,
                brief=brief.model_dump(mode="json"), status="draft",
                thread_id=thread_id or campaign_id, inputs=list(inputs), counts={}, engine=engine,
                discovery=discovery,
            ))
            try:
                s.flush()
            except IntegrityError as exc:
                raise Conflict(f"thread_id {thread_id} is used by another campaign") from exc
            return campaign_id

    def set_campaign_inputs(self, campaign_id: str, inputs: list[str]) -> None:
        """Record the companies a discovery source found (only while none are stored)."""
        with self._tx() as s:
            row = owned(s, Campaign, campaign_id, None)
            if row.inputs:
                raise Conflict(f"campaign {campaign_id} already has its companies")
            row.inputs = list(inputs)

    def get_campaign(self, campaign_id: str, workspace_id: str | None = None) -> CampaignView:
        with self._tx() as s:
            row = owned(s, Campaign, campaign_id, workspace_id)
            return _campaign_view(row, _counts(s, [row])[row.id])

    def campaign_by_thread(self, thread_id: str) -> CampaignView:
        with self._tx() as s:
            row = s.scalars(select(Campaign).where(Campaign.thread_id == thread_id)).first()
            if row is None:
                raise NotFound(f"no campaign for thread {thread_id}")
            return _campaign_view(row, _counts(s, [row])[row.id])

    def list_campaigns(
        self, workspace_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[CampaignView]:
        with self._tx() as s:
            rows = list(s.scalars(
                select(Campaign).where(Campaign.workspace_id == workspace_id)
                .order_by(Campaign.created_at.desc(), Campaign.id).limit(limit).offset(offset)
            ))
            counts = _counts(s, rows)
            return [_campaign_view(row, counts[row.id]) for row in rows]

    def set_campaign_status(
        self, campaign_id: str, status: str, error: str | None = None
    ) -> CampaignView:
        if status not in CAMPAIGN_STATUSES:
            raise InvalidInput(f"campaign status must be one of {', '.join(CAMPAIGN_STATUSES)}")
        with self._tx() as s:
            row = owned(s, Campaign, campaign_id, None)
            counts = _counts(s, [row])[row.id]
            row.status, row.error, row.updated_at, row.counts = status, error, utcnow(), counts
            s.flush()
            return _campaign_view(row, counts)

    def campaign_counts(self, campaign_id: str) -> dict[str, Any]:
        """Progress per stage: inputs, leads by status, drafts, approvals and outbox by status."""
        with self._tx() as s:
            row = owned(s, Campaign, campaign_id, None)
            return _counts(s, [row])[row.id]

    # --- leads ---------------------------------------------------------------------------
    def save_lead(self, campaign_id: str, lead: Lead) -> str:
        with self._tx() as s:
            return store_lead(s, owned(s, Campaign, campaign_id, None), lead)

    def campaign_leads(self, campaign_id: str, workspace_id: str | None = None) -> list[Lead]:
        with self._tx() as s:
            owned(s, Campaign, campaign_id, workspace_id)
            results = s.scalars(
                select(LeadRow.result).where(LeadRow.campaign_id == campaign_id)
                .order_by(LeadRow.input_index, LeadRow.url)
            )
            return [Lead.model_validate(result) for result in results]


def _campaign_view(row: Campaign, counts: dict[str, Any]) -> CampaignView:
    return CampaignView(
        id=row.id, workspace_id=row.workspace_id, name=row.name,
        brief=CampaignBrief.model_validate(row.brief), status=row.status, thread_id=row.thread_id,
        inputs=list(row.inputs), discovery=row.discovery, counts=counts, engine=row.engine,
        created_at=row.created_at,
        updated_at=row.updated_at, error=row.error,
    )


def _counts(session: Session, campaigns: list[Campaign]) -> dict[str, dict[str, Any]]:
    ids = [c.id for c in campaigns]
    counts: dict[str, dict[str, Any]] = {
        c.id: {
            "inputs": len(c.inputs or []),
            "leads": {"total": 0, "qualified": 0, "disqualified": 0, "error": 0, "in_progress": 0},
            "drafts": 0,
            "approvals": dict.fromkeys(APPROVAL_STATUSES, 0),
            "outbox": dict.fromkeys(OUTBOX_STATUSES, 0),
        }
        for c in campaigns
    }
    if not ids:
        return counts
    leads = select(LeadRow.campaign_id, LeadRow.status, func.count()).where(
        LeadRow.campaign_id.in_(ids)).group_by(LeadRow.campaign_id, LeadRow.status)
    for campaign_id, status, n in session.execute(leads):
        bucket = counts[campaign_id]["leads"]
        bucket[status or "in_progress"] = bucket.get(status or "in_progress", 0) + n
        bucket["total"] += n
    approvals = select(ApprovalItem.campaign_id, ApprovalItem.status, func.count()).where(
        ApprovalItem.campaign_id.in_(ids)).group_by(ApprovalItem.campaign_id, ApprovalItem.status)
    for campaign_id, status, n in session.execute(approvals):
        counts[campaign_id]["approvals"][status] = n
        counts[campaign_id]["drafts"] += n
    outbox = select(OutboxMessage.campaign_id, OutboxMessage.status, func.count()).where(
        OutboxMessage.campaign_id.in_(ids)).group_by(OutboxMessage.campaign_id, OutboxMessage.status)
    for campaign_id, status, n in session.execute(outbox):
        counts[campaign_id]["outbox"][status] = n
    return counts
