"""Outcomes of contacted leads for the memory (the learning loop): what a tracked reply or provider
event means as an ``Outcome``, recorded with the company profile, the copy angle and the score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from sqlalchemy import select

from core.db.store import Store
from core.db.tables import ApprovalItem, DraftRow, LeadRow, OutboxMessage
from core.models import Lead, Outcome, OutcomeKind
from memory.store import OutcomeMemory
from tools.tracking import store
from tools.tracking.apply import suppression_for
from tools.tracking.types import ReplyResult, TrackingEvent

OUTCOME_KINDS: frozenset[str] = frozenset(get_args(OutcomeKind))
REPLY_OUTCOMES: dict[str, OutcomeKind] = {
    "positive": "replied_positive", "neutral": "replied_neutral", "negative": "replied_negative",
    "unsubscribe": "unsubscribed",
}
# Suppression reasons (tools.tracking.apply) as outcomes: why the address is dead to us.
SUPPRESSION_OUTCOMES: dict[str, OutcomeKind] = {
    "hard_bounce": "bounced", "complaint": "complained", "unsubscribe": "unsubscribed",
}


def reply_outcome(result: ReplyResult) -> OutcomeKind | None:
    """A classified reply as an outcome; out-of-office, delay notices and soft bounces say nothing
    about the lead."""
    if result.kind == "bounce":
        return "bounced" if result.hard_bounce else None
    return REPLY_OUTCOMES.get(result.kind)


def event_outcome(event: TrackingEvent) -> OutcomeKind | None:
    """A provider event as an outcome: only events that end the conversation count (hard bounce,
    complaint, unsubscribe); deliveries, opens and clicks do not."""
    rule = suppression_for(event)
    return SUPPRESSION_OUTCOMES.get(rule[0]) if rule else None


def outcome_kind(kind: str) -> OutcomeKind | None:
    """An outcome kind as given ("meeting", "replied_positive") or a reply kind ("positive")."""
    if kind in OUTCOME_KINDS:
        return kind  # type: ignore[return-value]
    return REPLY_OUTCOMES.get(kind)


@dataclass(frozen=True)
class ContactedLead:
    """The stored lead result an outbox message was written for, and which step it was."""

    campaign_id: str
    lead: Lead
    step: int
    score: int | None


def contacted_lead(repository: Store, outbox_message_id: str) -> ContactedLead | None:
    """Outbox message -> approval item -> draft -> the lead result stored for it (one query)."""
    query = (
        select(OutboxMessage.campaign_id, OutboxMessage.step, LeadRow.result, LeadRow.score)
        .join(ApprovalItem, ApprovalItem.id == OutboxMessage.approval_item_id)
        .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
        .join(LeadRow, LeadRow.id == DraftRow.lead_id)
        .where(OutboxMessage.id == outbox_message_id)
    )
    with store.transaction(repository) as session:
        row = session.execute(query).first()
    if row is None:
        return None
    return ContactedLead(row.campaign_id, Lead.model_validate(row.result), row.step, row.score)


def build_outcome(campaign_id: str, lead: Lead, kind: OutcomeKind, *, step: int = 1,
                  score: int | None = None) -> Outcome | None:
    """The memory entry for ``lead``: None when the lead has no researched company to compare."""
    company = lead.company
    if company is None or not company.domain:
        return None
    draft = next((d for d in lead.drafts if d.step == step), lead.drafts[0] if lead.drafts else None)
    if lead.qualification is not None:
        score = lead.qualification.score
    return Outcome(
        campaign_id=campaign_id, domain=company.domain, kind=kind,
        profile=OutcomeMemory.profile_text(company), industry=company.industry,
        angle=draft.angle if draft else None,
        prompt_version=draft.prompt_version if draft else None,
        score=score,
    )


def record_outcome(
    repository: Store | None,
    memory: Any,
    *,
    kind: str,
    outbox_message: Any = None,
    lead: Lead | None = None,
    campaign_id: str | None = None,
    step: int = 1,
) -> Outcome | None:
    """Record what happened to a contacted lead in ``memory`` (an ``OutcomeMemory``).

    Give the outbox message it concerns (an ``OutboxView``, an ``OutboxTarget`` or its id: the
    lead is found through its approval item), or the ``lead`` and ``campaign_id`` directly.
    ``kind`` is an outcome kind or a reply kind. Returns the stored outcome, or None when nothing
    was recorded (a kind that says nothing about the lead, no stored lead, no company). Recording
    the same outcome again replaces it (memory ids are campaign:domain:kind), so retries are safe.
    Blocking (embeds the profile): async callers use ``asyncio.to_thread``.
    """
    outcome_as = outcome_kind(kind)
    if outcome_as is None:
        return None
    score = None
    if outbox_message is not None:
        if repository is None:
            raise ValueError("record_outcome needs the repository to find an outbox message's lead")
        outbox_id = outbox_message if isinstance(outbox_message, str) else outbox_message.id
        found = contacted_lead(repository, outbox_id)
        if found is None:
            return None
        lead, campaign_id, step, score = found.lead, found.campaign_id, found.step, found.score
    if lead is None or campaign_id is None:
        raise ValueError("record_outcome needs an outbox message, or a lead and its campaign_id")
    outcome = build_outcome(campaign_id, lead, outcome_as, step=step, score=score)
    if outcome is not None:
        memory.record(outcome)
    return outcome


def close_memory(memory: Any) -> None:
    """Release an ``OutcomeMemory``'s Chroma client (its SQLite files and threads); safe twice.
    OutcomeMemory has no close() of its own, its client does."""
    closer = getattr(memory, "close", None) or getattr(getattr(memory, "_client", None), "close", None)
    if closer is not None:
        closer()
