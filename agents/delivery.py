"""Handing one outbox message to the provider exactly once (claim, checks, dispatch marker,
provider call, outcome), and settling messages a crash left in "sending". See docs/sending.md."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from agents.send_policy import SendPolicy
from core.db.digests import content_hash
from core.db.views import CampaignView, OutboxView
from core.errors import Conflict
from core.tokens import sign
from tools.mail.base import Mailer, MailPermanentError, MailTransientError
from tools.mail.errors import MailBlockedError
from tools.mail.file_outbox import FileOutboxMailer
from tools.mail.message import OutgoingMessage

CRASH_ENV = "LEADGEN_CRASH_AT"  # "<point>:<n>": SIGKILL this process the n-th time it reaches point
CRASH_POINTS = ("claimed", "dispatched", "provider_returned")
_crash_hits: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Crash-test hook: with LEADGEN_CRASH_AT unset (always, in production) this does nothing."""
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _crash_hits[name] += 1
    if _crash_hits[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


class DeliveryLookup(Protocol):
    async def accepted(self, message_id: str) -> bool | None: ...


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | queued (retry) | failed | cancelled | unconfirmed | blocked | busy
    detail: str = ""


def unsubscribe_url(public_base_url: str, message_id: str, secret_key: str) -> str:
    return f"{public_base_url.rstrip('/')}/u/{sign(message_id, secret_key)}"


def outgoing(row: OutboxView, campaign: CampaignView, *, public_base_url: str, secret_key: str) -> OutgoingMessage:
    sender = campaign.brief.sender
    return OutgoingMessage(
        message_id=row.message_id, idempotency_key=row.idempotency_key,
        from_name=sender.name, from_email=sender.email, reply_to=sender.email,
        to_email=row.to_email, subject=row.subject, text=row.body,
        postal_address=sender.postal_address,
        unsubscribe_url=unsubscribe_url(public_base_url, row.message_id, secret_key),
        unsubscribe_mailto=sender.email,
    )


def retry_delay(policy: SendPolicy, attempts: int, hint: float | None) -> timedelta:
    backoff = policy.retry_base_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=max(backoff, hint or 0))


async def deliver_one(repository, mailer: Mailer, row: OutboxView, campaign: CampaignView, *, now: datetime,
                      policy: SendPolicy, message: OutgoingMessage, lookup: DeliveryLookup | None) -> Outcome:
    run = asyncio.to_thread
    try:
        # Claims are leased by the wall clock (is the worker alive?), not the injected ``now``.
        row = await run(repository.claim_outbox, row.id, datetime.now(UTC))
    except Conflict:
        return Outcome("busy", "claimed by another worker")
    crash_point("claimed")
    # Re-checked after the claim, at send time: an unsubscribe a second ago still counts.
    if await run(repository.is_suppressed, row.workspace_id, row.to_email):
        await run(repository.finish_outbox, row.id, "cancelled", at=now, error="suppressed at send time")
        return Outcome("cancelled", "suppressed")
    if content_hash(row.subject, row.body) != row.content_hash:
        await run(repository.finish_outbox, row.id, "failed", at=now, error="content differs from what was approved")
        return Outcome("failed", "content changed after approval")
    await run(repository.mark_dispatched, row.id, now)
    crash_point("dispatched")
    try:
        result = await mailer.send(message)
    except MailBlockedError as exc:
        await run(repository.finish_outbox, row.id, "queued", at=now, error=f"mailbox blocked: {exc}")
        return Outcome("blocked", str(exc))
    except MailPermanentError as exc:
        await run(repository.finish_outbox, row.id, "failed", at=now, error=str(exc))
        return Outcome("failed", f"permanent: {exc}")
    except MailTransientError as exc:
        if exc.code is None:
            # No server reply: the connection may have broken after the message went through.
            settled = await settle_ambiguous(repository, mailer, row, now=now, lookup=lookup, resend=False)
            if settled is not None and settled.status == "sent":
                return settled
        return await _retry_later(repository, row, now, policy, exc)
    crash_point("provider_returned")
    await run(repository.finish_outbox, row.id, "sent", at=now, provider=result.provider,
              provider_message_id=result.provider_message_id)
    await run(repository.note_mailbox_send, row.mailbox or message.from_email, now)
    return Outcome("sent", result.provider)


async def _retry_later(repository, row: OutboxView, now: datetime, policy: SendPolicy,
                       exc: MailTransientError) -> Outcome:
    if row.attempts >= policy.max_attempts:
        await asyncio.to_thread(repository.finish_outbox, row.id, "failed", at=now,
                                error=f"gave up after {row.attempts} attempts: {exc}")
        return Outcome("failed", f"transient, attempts exhausted: {exc}")
    due = now + retry_delay(policy, row.attempts, exc.retry_after)
    explain = {**(row.explain or {}), "retry": f"attempt {row.attempts} failed ({exc}); retry at {due.isoformat()}"}
    await asyncio.to_thread(repository.finish_outbox, row.id, "queued", at=now, error=str(exc),
                            due_at=due, explain=explain)
    return Outcome("queued", f"transient: {exc}")


async def settle_ambiguous(repository, mailer: Mailer, row: OutboxView, *, now: datetime,
                           lookup: DeliveryLookup | None, resend: bool = True) -> Outcome | None:
    """A row whose provider call may or may not have happened. Never sends it twice: it is
    re-sent only when the provider dedupes by Message-ID or a lookup proves it did not arrive."""
    run = asyncio.to_thread
    if row.dispatched_at is None:
        await run(repository.finish_outbox, row.id, "queued", at=now, error="recovered: never reached the provider")
        return Outcome("queued", "not dispatched")
    if await run(repository.provider_saw, row.id):
        await run(repository.finish_outbox, row.id, "sent", at=now, error="recovered: provider reported it")
        return Outcome("sent", "provider event")
    if isinstance(mailer, FileOutboxMailer) and resend:
        # The file outbox writes <message id>.eml once: sending again cannot duplicate.
        await run(repository.finish_outbox, row.id, "queued", at=now, error="recovered: provider dedupes by Message-ID")
        return Outcome("queued", "provider dedupes")
    answer = await lookup.accepted(row.message_id) if lookup is not None else None
    if answer is True:
        await run(repository.finish_outbox, row.id, "sent", at=now, error="recovered: found in the sent archive")
        return Outcome("sent", "sent archive")
    if answer is False and resend:
        await run(repository.finish_outbox, row.id, "queued", at=now, error="recovered: absent from the sent archive")
        return Outcome("queued", "absent from archive")
    if not resend:
        return None
    await run(repository.finish_outbox, row.id, "unconfirmed", at=now,
              error="interrupted during the provider call; cannot confirm: needs a person")
    await run(repository.add_event, row.workspace_id, "send_unconfirmed", campaign_id=row.campaign_id,
              outbox_message_id=row.id, payload={"message_id": row.message_id})
    return Outcome("unconfirmed", "needs review")
