"""Reviewer decisions as feedback on the qualifier: each approve/reject is counted against the
lead's fit verdict, and /metrics reads the review accuracy of all decided items from the database.

A decision is *correct* when the reviewer agrees with the qualifier: approving a draft for a lead
the qualifier called fit, or rejecting one for a lead it called unfit. Edits are not verdicts.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.db.tables import ApprovalItem, DraftRow, LeadRow

VERDICT_ACTIONS = ("approve", "reject")


def lead_fit(sessions: sessionmaker[Session], lead_id: str) -> bool | None:
    with sessions() as session:
        return session.scalar(select(LeadRow.fit).where(LeadRow.id == lead_id))


def record_decision(sessions: sessionmaker[Session] | None, lead_id: str, action: str) -> None:
    """Count a decision that changed an item: ``leadgen_approvals_total`` always, and
    ``leadgen_qualification_feedback_total`` for approve/reject of a lead with a fit verdict."""
    metrics.record_approval(action)
    if sessions is None or action not in VERDICT_ACTIONS:
        return
    fit = lead_fit(sessions, lead_id)
    if fit is not None:
        metrics.record_qualification_feedback(fit, action)


def review_accuracy(sessions: sessionmaker[Session]) -> float | None:
    """Share of decided approval items whose decision agrees with the lead's fit verdict
    (None before any decision)."""
    agrees = case(
        ((ApprovalItem.status == "approved") & LeadRow.fit.is_(True), 1),
        ((ApprovalItem.status == "rejected") & LeadRow.fit.is_(False), 1),
        else_=0,
    )
    query = (
        select(func.count(), func.coalesce(func.sum(agrees), 0))
        .select_from(ApprovalItem)
        .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
        .join(LeadRow, LeadRow.id == DraftRow.lead_id)
        .where(ApprovalItem.status.in_(("approved", "rejected")), LeadRow.fit.is_not(None))
    )
    with sessions() as session:
        total, correct = session.execute(query).one()
    return int(correct) / int(total) if total else None
