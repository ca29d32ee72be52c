"""Experiments (arms, holdout, decision) and the per-lead outcomes they and the replay are measured on."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.digests import normalize_domain
from core.db.store import Store, owned
from core.db.tables import (
    EXPERIMENT_STATUSES,
    ApprovalItem,
    AuditEntry,
    Campaign,
    Company,
    DraftRow,
    Event,
    Experiment,
    LeadRow,
    OutboxMessage,
    utcnow,
)
from core.errors import Conflict, InvalidInput


class ExperimentView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    campaign_id: str
    name: str
    arms: list[dict[str, Any]]
    holdout_share: float
    min_sends: int
    metric: str
    status: str
    winner: str | None = None
    decision: dict[str, Any] | None = None
    created_at: datetime
    decided_at: datetime | None = None


class LeadOutcomeView(BaseModel):
    """A saved lead with what its sent messages got back (event kinds, deduplicated)."""

    model_config = ConfigDict(frozen=True)

    lead_id: str
    campaign_id: str
    domain: str
    score: int | None
    fit: bool | None
    messages_sent: int
    event_kinds: list[str] = Field(default_factory=list)
    drafts: list[tuple[int, str, str]] = Field(default_factory=list)  # (step, engine, prompt_version)
    result: dict[str, Any] | None = None  # the saved Lead, when asked for
    brief: dict[str, Any] | None = None  # the campaign brief, when asked for


class ExperimentStore(Store):
    """Create, read and decide experiments; read lead outcomes."""

    def add_experiment(self, workspace_id: str, campaign_id: str, *, name: str, arms: list[dict[str, Any]],
                       holdout_share: float, min_sends: int, metric: str) -> ExperimentView:
        """One experiment per campaign; a second one raises Conflict."""
        with self._tx() as s:
            owned(s, Campaign, campaign_id, workspace_id)
            row = Experiment(workspace_id=workspace_id, campaign_id=campaign_id, name=name, arms=list(arms),
                             holdout_share=holdout_share, min_sends=min_sends, metric=metric, status="running")
            try:
                with s.begin_nested():
                    s.add(row)
            except IntegrityError as exc:
                raise Conflict(f"campaign {campaign_id} already has an experiment") from exc
            return ExperimentView.model_validate(row, from_attributes=True)

    def get_experiment(self, experiment_id: str, workspace_id: str | None = None) -> ExperimentView:
        with self._tx() as s:
            return ExperimentView.model_validate(owned(s, Experiment, experiment_id, workspace_id),
                                                 from_attributes=True)

    def campaign_experiment(self, campaign_id: str) -> ExperimentView | None:
        with self._tx() as s:
            row = s.scalars(select(Experiment).where(Experiment.campaign_id == campaign_id)).first()
            return None if row is None else ExperimentView.model_validate(row, from_attributes=True)

    def decide_experiment(self, experiment_id: str, workspace_id: str | None, *, actor: str, status: str,
                          decision: dict[str, Any], winner: str | None = None) -> ExperimentView:
        """Store the decision and write it to the audit log in the same transaction."""
        if status not in EXPERIMENT_STATUSES:
            raise InvalidInput(f"experiment status must be one of {', '.join(EXPERIMENT_STATUSES)}")
        with self._tx() as s:
            row = owned(s, Experiment, experiment_id, workspace_id)
            before = {"status": row.status, "winner": row.winner}
            row.status, row.winner, row.decision, row.decided_at = status, winner, decision, utcnow()
            s.add(AuditEntry(workspace_id=row.workspace_id, actor=actor, action=f"experiment.{decision['action']}",
                             object_type="experiment", object_id=row.id, before=before,
                             after={"status": status, "winner": winner, **decision}))
            s.flush()
            return ExperimentView.model_validate(row, from_attributes=True)

    def lead_outcomes(self, workspace_id: str, *, campaign_id: str | None = None,
                      with_result: bool = False) -> list[LeadOutcomeView]:
        """Every saved lead (of one campaign, or of the workspace) with its sent-message count,
        the kinds of events on those messages (or on the lead) and its drafts' (step, engine, prompt)."""
        with self._tx() as s:
            leads = select(LeadRow, Company.domain).outerjoin(Company, Company.id == LeadRow.company_id).where(
                LeadRow.workspace_id == workspace_id)
            if campaign_id is not None:
                leads = leads.where(LeadRow.campaign_id == campaign_id)
            rows = s.execute(leads.order_by(LeadRow.campaign_id, LeadRow.input_index, LeadRow.id)).all()
            ids = [lead.id for lead, _ in rows]
            drafts: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
            sent: dict[str, int] = defaultdict(int)
            kinds: dict[str, set[str]] = defaultdict(set)
            outbox_lead: dict[str, str] = {}
            for chunk in _chunks(ids):
                for lead_id, step, engine, version in s.execute(
                        select(DraftRow.lead_id, DraftRow.step, DraftRow.engine, DraftRow.prompt_version)
                        .where(DraftRow.lead_id.in_(chunk), DraftRow.prompt_version.is_not(None))
                        .order_by(DraftRow.lead_id, DraftRow.step)):
                    drafts[lead_id].append((step, engine, version or ""))
                for lead_id, outbox_id, status in s.execute(
                        select(DraftRow.lead_id, OutboxMessage.id, OutboxMessage.status)
                        .join(ApprovalItem, ApprovalItem.draft_id == DraftRow.id)
                        .join(OutboxMessage, OutboxMessage.approval_item_id == ApprovalItem.id)
                        .where(DraftRow.lead_id.in_(chunk))):
                    outbox_lead[outbox_id] = lead_id
                    sent[lead_id] += status == "sent"
                for event_lead, kind in s.execute(select(Event.lead_id, Event.kind).where(Event.lead_id.in_(chunk))):
                    kinds[event_lead or ""].add(kind)
            for chunk in _chunks(list(outbox_lead)):
                for event_outbox, kind in s.execute(select(Event.outbox_message_id, Event.kind).where(
                        Event.outbox_message_id.in_(chunk))):
                    kinds[outbox_lead[event_outbox or ""]].add(kind)
            briefs = ({c.id: c.brief for c in s.scalars(select(Campaign).where(
                Campaign.id.in_({lead.campaign_id for lead, _ in rows})))} if with_result else {})
            return [LeadOutcomeView(
                lead_id=lead.id, campaign_id=lead.campaign_id, domain=domain or _url_domain(lead.url),
                score=lead.score, fit=lead.fit, messages_sent=sent[lead.id], event_kinds=sorted(kinds[lead.id]),
                drafts=drafts[lead.id],
                result=dict(lead.result) if with_result else None, brief=briefs.get(lead.campaign_id),
            ) for lead, domain in rows]


def _url_domain(url: str) -> str:
    return normalize_domain(urlsplit(url).hostname or url).removeprefix("www.")


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]
