"""Reputation guardrails: a campaign pauses itself (and raises an alert) when its rolling bounce
or complaint rate passes the configured threshold; a blocked mailbox pauses."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.send_policy import SendPolicy

BOUNCE_KINDS = ("bounce", "reply_bounce")
COMPLAINT_KINDS = ("spamreport", "complaint")


@dataclass(frozen=True)
class GuardrailVerdict:
    pause: bool
    reason: str
    stats: dict[str, int]


def judge(stats: dict[str, int], policy: SendPolicy) -> GuardrailVerdict:
    """Pause when bounces/sent > bounce_rate (once enough was sent) or complaints/sent > complaint_rate."""
    sent = stats.get("sent", 0)
    bounced, complained = stats.get("bounced", 0), stats.get("complained", 0)
    if complained and complained / max(sent, 1) > policy.complaint_rate:
        return GuardrailVerdict(True, f"complaint rate {complained}/{sent} exceeds {policy.complaint_rate:.2%}", stats)
    if sent >= policy.guardrail_min_sent and bounced / sent > policy.bounce_rate:
        return GuardrailVerdict(True, f"bounce rate {bounced}/{sent} exceeds {policy.bounce_rate:.2%}", stats)
    return GuardrailVerdict(False, "within limits", stats)


async def check_campaign(repository, campaign_id: str, *, now: datetime, policy: SendPolicy) -> GuardrailVerdict:
    """Evaluate the rolling window and pause the campaign (status "paused", event "alert",
    audit entry) when a threshold is passed. The tracking side may call this after new events."""
    since = now - timedelta(days=policy.guardrail_window_days)
    stats = await asyncio.to_thread(repository.delivery_stats, campaign_id, since,
                                    {"bounced": BOUNCE_KINDS, "complained": COMPLAINT_KINDS})
    verdict = judge(stats, policy)
    if verdict.pause:
        campaign = await asyncio.to_thread(repository.get_campaign, campaign_id)
        if campaign.status != "paused":
            await asyncio.to_thread(repository.set_campaign_status, campaign_id, "paused", verdict.reason)
            await asyncio.to_thread(repository.add_event, campaign.workspace_id, "alert", campaign_id=campaign_id,
                                    payload={"guardrail": verdict.reason, **stats})
            await asyncio.to_thread(repository.audit, campaign.workspace_id, "sequencer", "campaign.pause",
                                    "campaign", campaign_id, {"status": campaign.status},
                                    {"status": "paused", "reason": verdict.reason})
    return verdict


async def pause_mailbox(repository, workspace_id: str, campaign_id: str, mailbox: str, reason: str,
                        now: datetime) -> None:
    await asyncio.to_thread(repository.pause_mailbox, mailbox, reason, now)
    await asyncio.to_thread(repository.add_event, workspace_id, "alert", campaign_id=campaign_id,
                            payload={"mailbox": mailbox, "paused": reason})
    await asyncio.to_thread(repository.audit, workspace_id, "sequencer", "mailbox.pause", "mailbox", None,
                            None, {"mailbox": mailbox, "reason": reason})
