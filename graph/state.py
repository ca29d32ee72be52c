"""Campaign graph state: what a campaign knows at each step, and how updates merge.

Leads are stored as plain dicts (``Lead.model_dump``) so checkpoints stay portable JSON;
nodes convert at their edges with ``Lead.model_validate``.
"""

from __future__ import annotations

from typing import Annotated, TypedDict


def merge_leads(current: list[dict] | None, update: list[dict] | None) -> list[dict]:
    """Upsert leads by input index, keeping input order."""
    merged = {lead["index"]: lead for lead in current or []}
    for lead in update or []:
        merged[lead["index"]] = lead
    return [merged[i] for i in sorted(merged)]


def merge_dicts(current: dict | None, update: dict | None) -> dict:
    return {**(current or {}), **(update or {})}


def add_unique(current: list[str] | None, update: list[str] | None) -> list[str]:
    seen = list(current or [])
    for item in update or []:
        if item not in seen:
            seen.append(item)
    return seen


class CampaignState(TypedDict, total=False):
    campaign_id: str
    brief: dict  # CampaignBrief.model_dump()
    inputs: list[str]  # company URLs or domains, in input order (unique)
    leads: Annotated[list[dict], merge_leads]
    # approval item id -> {"index": lead index, "step": n}; filled as leads are saved
    approvals: Annotated[dict[str, dict], merge_dicts]
    # approval item id -> {"action": approve|reject|edit, "subject"?, "body"?, "actor"?}
    decisions: Annotated[dict[str, dict], merge_dicts]
    queued: Annotated[list[str], add_unique]  # approval item ids handed to the outbox


class LeadState(TypedDict, total=False):
    """State of one company's trip through research → qualify → write → save."""

    campaign_id: str
    brief: dict
    url: str
    index: int
    lead: dict
    # Keys shared with CampaignState: the subgraph's result flows back through them.
    leads: Annotated[list[dict], merge_leads]
    approvals: Annotated[dict[str, dict], merge_dicts]


class LeadOutput(TypedDict, total=False):
    """What one lead pipeline hands back to the campaign (only the shared keys)."""

    leads: Annotated[list[dict], merge_leads]
    approvals: Annotated[dict[str, dict], merge_dicts]
