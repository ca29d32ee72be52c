"""Reviewer decisions on the approval queue: approve, reject, edit (re-checked by the guard), bulk.

Every decision is recorded through ``Repository.decide`` (audit log) and then wakes the paused
campaign through the launcher: one resume per campaign, whatever the number of items.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from agents.guard import check_draft
from api.auth import Principal
from api.launcher import CampaignLauncher
from api.qualification_feedback import record_decision
from api.schemas import BulkFailure, BulkFilter
from core import metrics
from core.db.approval_store import BulkDecision, QueueCursor
from core.db.repository import Decision, Repository
from core.db.tables import ApprovalItem, DraftRow
from core.db.views import ApprovalView
from core.models import Draft, Lead

BULK_PAGE = 500
BULK_MAX = 5000


def lead_of(repo: Repository, approval: ApprovalView) -> Lead | None:
    """The stored lead result (the full Lead dump) an approval item's draft was written for."""
    leads = repo.leads_by_urls(approval.campaign_id, [approval.lead_url],
                               workspace_id=approval.workspace_id)
    return next((lead for lead in leads if lead.url == approval.lead_url), None)


def recheck_edit(repo: Repository, approval: ApprovalView) -> list[str]:
    """Run the draft guard on the item's current (edited) subject and body; returns the flags."""
    campaign = repo.get_campaign(approval.campaign_id, workspace_id=approval.workspace_id)
    lead = lead_of(repo, approval) or Lead(url=approval.lead_url)
    contact = approval.contact
    draft = Draft(
        step=approval.draft.step, subject=approval.draft.subject, body=approval.draft.body,
        claims=list(approval.draft.claims), engine=approval.draft.engine,  # type: ignore[arg-type]
        to_email=contact.email if contact else None, to_name=contact.name if contact else None,
    )
    return check_draft(draft, lead, campaign.brief).flags


def store_flags(sessions: sessionmaker[Session], approval_id: str, flags: list[str]) -> None:
    with sessions.begin() as s:
        item = s.get_one(ApprovalItem, approval_id)
        item.flags = list(flags)
        s.get_one(DraftRow, item.draft_id).flags = list(flags)


def edit(
    repo: Repository, sessions: sessionmaker[Session], principal: Principal, approval_id: str,
    subject: str | None, body: str | None,
) -> ApprovalView:
    view = repo.decide(approval_id, "edit", principal.actor, subject, body,
                       workspace_id=principal.workspace_id)
    record_decision(sessions, view.lead_id, "edit")
    flags = recheck_edit(repo, view)
    store_flags(sessions, approval_id, flags)
    return view.model_copy(update={"flags": flags})


def decide_counted(
    repo: Repository, approval_id: str, action: Decision, principal: Principal,
    sessions: sessionmaker[Session] | None = None,
) -> ApprovalView:
    """``repo.decide`` plus the decision metrics, counted only when the item changed (repeating
    a decision is a no-op). ``sessions`` enables the qualification feedback count."""
    prior = repo.get_approval(approval_id, principal.workspace_id).status
    view = repo.decide(approval_id, action, principal.actor, workspace_id=principal.workspace_id)
    if view.status != prior:
        record_decision(sessions, view.lead_id, action)
    return view


async def decide(
    repo: Repository, launcher: CampaignLauncher, principal: Principal, approval_id: str,
    action: Decision, *, sessions: sessionmaker[Session] | None = None,
) -> ApprovalView:
    view = await asyncio.to_thread(decide_counted, repo, approval_id, action, principal, sessions)
    await launcher.resume(view.campaign_id, {view.id: {"action": action}})
    return view


@dataclass
class BulkResult:
    decided: list[str] = field(default_factory=list)
    failed: list[BulkFailure] = field(default_factory=list)


def select_pending(repo: Repository, workspace_id: str, selector: BulkFilter) -> list[str]:
    """Ids of the pending items matching a bulk filter (read in keyset pages, capped at BULK_MAX)."""
    chosen: list[str] = []
    after: QueueCursor | None = None
    while len(chosen) < BULK_MAX:
        page = repo.approval_items(selector.campaign_id, workspace_id=workspace_id,
                                   status="pending", limit=BULK_PAGE, after=after)
        for item in page:
            if selector.min_score is not None and (item.score or 0) < selector.min_score:
                continue
            if selector.unflagged_only and item.flags:
                continue
            chosen.append(item.id)
        if len(page) < BULK_PAGE:
            break
        after = QueueCursor.of(page[-1])
    return chosen[:BULK_MAX]


def decide_many_counted(
    repo: Repository, principal: Principal, ids: list[str], action: Literal["approve", "reject"],
    *, feedback: bool = True,
) -> BulkDecision:
    """``repo.decide_many`` (one transaction) plus the decision metrics of the items it changed;
    ``feedback`` also counts them against the qualifier's fit verdict."""
    outcome = repo.decide_many(ids, action, principal.actor, workspace_id=principal.workspace_id)
    for item in outcome.decided:
        if not item.changed:
            continue
        metrics.record_approval(action)
        if feedback and item.fit is not None:
            metrics.record_qualification_feedback(item.fit, action)
    return outcome


async def decide_many(
    repo: Repository, launcher: CampaignLauncher, principal: Principal, ids: list[str],
    action: Literal["approve", "reject"], *, sessions: sessionmaker[Session] | None = None,
) -> BulkResult:
    """Decide all ``ids`` at once, then wake each campaign once with its decisions.
    ``sessions`` (as for ``decide``) enables the qualification feedback count."""
    outcome = await asyncio.to_thread(
        decide_many_counted, repo, principal, ids, action, feedback=sessions is not None
    )
    result = BulkResult(
        decided=[item.id for item in outcome.decided],
        failed=[BulkFailure(id=i, status=exc.status, detail=exc.detail) for i, exc in outcome.failed],
    )
    per_campaign: dict[str, dict[str, dict]] = defaultdict(dict)
    for item in outcome.decided:
        per_campaign[item.campaign_id][item.id] = {"action": action}
    for campaign_id, decisions in per_campaign.items():
        await launcher.resume(campaign_id, decisions)
    return result
