"""The sequencer: when each approved step is due, and delivering what is due exactly once.

Queueing writes an outbox row with a unique key (campaign, contact, step) before any
provider call; delivery re-checks suppression and the approved content hash at send time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.db.digests import content_hash
from core.tokens import sign
from tools.mail.base import Mailer, MailPermanentError, MailTransientError
from tools.mail.message import OutgoingMessage

log = logging.getLogger(__name__)

BUSINESS_DAYS_BETWEEN_STEPS = 3


def add_business_days(start: datetime, days: int) -> datetime:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def due_time(step: int, approved_at: datetime) -> tuple[datetime, str]:
    """When step N is due, and a sentence saying why."""
    if step <= 1:
        return approved_at, "first touch: due as soon as it is approved"
    days = (step - 1) * BUSINESS_DAYS_BETWEEN_STEPS
    return (
        add_business_days(approved_at, days),
        f"step {step}: {days} business days after approval, unless the contact replies first",
    )


async def queue_approved(repository, approval_ids: list[str], *, now: datetime) -> int:
    """Put approved drafts in the outbox; returns how many rows were new."""
    created = 0
    for approval_id in approval_ids:
        item = await asyncio.to_thread(repository.get_approval, approval_id)
        due, why = due_time(item.draft.step, now)
        _, new = await asyncio.to_thread(
            repository.enqueue_outbox, approval_id, due_at=due, explain={"due": due.isoformat(), "why": why}
        )
        created += int(new)
    return created


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # outbox id -> reason
    failed: dict[str, str] = field(default_factory=dict)


def unsubscribe_url(public_base_url: str, message_id: str, secret_key: str) -> str:
    return f"{public_base_url.rstrip('/')}/u/{sign(message_id, secret_key)}"


async def deliver_due(
    repository,
    mailer: Mailer,
    *,
    now: datetime,
    public_base_url: str,
    secret_key: str,
    campaign_id: str | None = None,
    limit: int = 500,
) -> DeliveryReport:
    report = DeliveryReport()
    rows = await asyncio.to_thread(repository.due_outbox, now, limit)
    for row in rows:
        if campaign_id and row.campaign_id != campaign_id:
            continue
        if await asyncio.to_thread(repository.is_suppressed, row.workspace_id, row.to_email):
            await asyncio.to_thread(repository.mark_outbox, row.id, "cancelled", error="suppressed")
            report.skipped[row.id] = "suppressed"
            continue
        if content_hash(row.subject, row.body) != row.content_hash:
            await asyncio.to_thread(
                repository.mark_outbox, row.id, "failed", error="content differs from what was approved"
            )
            report.skipped[row.id] = "content changed after approval"
            continue
        campaign = await asyncio.to_thread(repository.get_campaign, row.campaign_id)
        sender = campaign.brief.sender
        message = OutgoingMessage(
            message_id=row.message_id,
            idempotency_key=row.idempotency_key,
            from_name=sender.name,
            from_email=sender.email,
            reply_to=sender.email,
            to_email=row.to_email,
            subject=row.subject,
            text=row.body,
            postal_address=sender.postal_address,
            unsubscribe_url=unsubscribe_url(public_base_url, row.message_id, secret_key),
            unsubscribe_mailto=sender.email,
        )
        # Committed before the provider call: a crash after this point is recovered by
        # re-sending with the same Message-ID/idempotency key, never by a fresh message.
        await asyncio.to_thread(repository.mark_outbox, row.id, "sending")
        try:
            result = await mailer.send(message)
        except MailTransientError as exc:
            await asyncio.to_thread(repository.mark_outbox, row.id, "queued", error=str(exc))
            report.failed[row.id] = f"transient: {exc}"
            continue
        except MailPermanentError as exc:
            await asyncio.to_thread(repository.mark_outbox, row.id, "failed", error=str(exc))
            report.failed[row.id] = f"permanent: {exc}"
            continue
        await asyncio.to_thread(
            repository.mark_outbox,
            row.id,
            "sent",
            provider=result.provider,
            provider_message_id=result.provider_message_id,
        )
        report.sent.append(row.id)
    return report
