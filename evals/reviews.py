"""``leadgen eval add-from-reviews``: turns reviewer edits and rejections stored in the database
(approval_items + drafts + audit_log) into copy cases in ``evals/datasets/review_cases.jsonl``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.db.engine import make_engine, session_factory
from core.db.tables import ApprovalItem, AuditEntry, Campaign, DraftRow, LeadRow
from core.models import CampaignBrief, Lead
from evals.build_datasets import offer_keywords
from evals.cases import read_jsonl, write_jsonl

REVIEW_HEADER = """Review cases: drafts a reviewer edited or rejected (exported by `leadgen eval add-from-reviews`).
Each case re-drafts the same lead for the same brief; besides the copy checks, the sentences the
reviewer removed (edits) or the claims of a rejected draft (rejections) must not come back (expect.avoid)."""
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _sentences(body: str) -> list[str]:
    main = body.rsplit("\n--\n", 1)[0]
    return [s.strip() for s in _SENTENCE.split(main) if len(s.split()) >= 3]


def _case(item: ApprovalItem, draft: DraftRow, lead_row: LeadRow, campaign: Campaign,
          audits: list[AuditEntry]) -> dict[str, Any] | None:
    first = (audits[0].before or {}) if audits else {}
    original = {"subject": first.get("subject", draft.subject), "body": first.get("body", draft.body)}
    final = {"subject": draft.subject, "body": draft.body}
    if item.status == "rejected":
        action = "reject"
        avoid = [c["text"] for c in (draft.claims or []) if c.get("text")]
    elif final != original:
        action = "edit"
        kept = set(_sentences(final["body"]))
        avoid = [s for s in _sentences(original["body"]) if s not in kept]
    else:
        return None
    lead = Lead.model_validate(lead_row.result).model_copy(update={"drafts": []})
    if lead.company is None:
        return None
    brief = CampaignBrief.model_validate(campaign.brief)
    return {
        "id": f"r:{item.id}", "kind": "review", "brief": brief.model_dump(mode="json"),
        "lead": lead.model_dump(mode="json", exclude_none=True),
        "expect": {"company_name": lead.company.name or lead.company.domain,
                   "offer_keywords": offer_keywords(brief.offer), "avoid": avoid},
        "review": {"action": action, "reviewer": item.decided_by or (audits[-1].actor if audits else None),
                   "step": draft.step, "prompt_version": draft.prompt_version,
                   "original": original, "edited": final if action == "edit" else None},
        "slices": [],
    }


def add_from_reviews(database_url: str, out_path: Path) -> int:
    """Append a case for every edited or rejected draft not exported yet; returns how many were added."""
    out_path = Path(out_path)
    existing = read_jsonl(out_path)
    known = {row["id"] for row in existing}
    engine = make_engine(database_url)
    new: list[dict[str, Any]] = []
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(ApprovalItem, DraftRow, LeadRow, Campaign)
                .join(DraftRow, DraftRow.id == ApprovalItem.draft_id)
                .join(LeadRow, LeadRow.id == DraftRow.lead_id)
                .join(Campaign, Campaign.id == ApprovalItem.campaign_id)
                .order_by(ApprovalItem.created_at, ApprovalItem.id)
            ).all()
            for item, draft, lead_row, campaign in rows:
                if f"r:{item.id}" in known:
                    continue
                audits = list(session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.object_type == "approval_item", AuditEntry.object_id == item.id)
                    .order_by(AuditEntry.at, AuditEntry.id)))
                case = _case(item, draft, lead_row, campaign, audits)
                if case is not None:
                    new.append(case)
    finally:
        engine.dispose()
    if new or not out_path.exists():
        write_jsonl(out_path, REVIEW_HEADER, existing + new)
    return len(new)
