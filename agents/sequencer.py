"""The sequencer: when each approved step is due (and why), what may go out now under windows,
caps and gaps, stopping/pausing a contact's sequence, and erasing a recipient.

Queueing writes an outbox row with a unique key (campaign, contact, step); delivery itself
(the exactly-once protocol) lives in ``agents.delivery``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from agents import guardrails
from agents.delivery import DeliveryLookup, deliver_one, outgoing, settle_ambiguous
from agents.schedule import jitter, plan_step, recipient_timezone, warmup_cap
from agents.send_policy import SendPolicy
from agents.sent_archive import SentArchive
from core import metrics
from core.db.digests import email_domain, normalize_email
from core.db.views import CampaignView, OutboxView
from tools.mail.base import Mailer

log = logging.getLogger(__name__)
# Without an explicit policy (the graph's send node today) approved mail goes out at once;
# workers and `leadgen outbox send-due` pass SendPolicy.from_settings(settings).
DEFAULT_POLICY = SendPolicy(immediate=True)
STOPPABLE = ("queued", "failed")


async def queue_approved(repository, approval_ids: list[str], *, now: datetime,
                         policy: SendPolicy | None = None) -> int:
    """Put approved drafts in the outbox, each with its due time and an explanation; returns how
    many rows were new (queueing the same approval again changes nothing)."""
    policy = policy or DEFAULT_POLICY
    run = asyncio.to_thread
    items = [await run(repository.get_approval, aid) for aid in approval_ids]
    created = 0
    previous: dict[tuple[str, str | None, int], datetime] = {}
    for item in sorted(items, key=lambda i: i.draft.step):
        row, new = await run(repository.enqueue_outbox, item.id)
        if not new:
            previous[(row.campaign_id, row.contact_id, row.step)] = row.due_at or now
            continue
        created += 1
        metrics.record_queued()
        campaign = await run(repository.get_campaign, row.campaign_id)
        place = await run(repository.recipient_place, item.id)
        tz, tz_why = recipient_timezone(place["country"], place["locations"],
                                        policy.fallback_timezone)
        anchor = previous.get((row.campaign_id, row.contact_id, row.step - 1))
        if anchor is None and row.step > 1:
            anchor = await run(_previous_due, repository, row)
        plan = plan_step(row.step, max(anchor or now, now), tz=tz, tz_why=tz_why,
                         window=None if policy.immediate else policy.window,
                         delay_business_days=policy.step_delay_business_days, message_id=row.message_id)
        await run(repository.schedule_outbox, row.id, due_at=plan.due_at, explain=plan.explain,
                  mailbox=campaign.brief.sender.email, recipient_domain=email_domain(row.to_email))
        previous[(row.campaign_id, row.contact_id, row.step)] = plan.due_at
    return created


def _previous_due(repository, row: OutboxView) -> datetime | None:
    for other in repository.outbox_for_campaign(row.campaign_id):
        if other.contact_id == row.contact_id and other.step == row.step - 1:
            return other.sent_at or other.due_at
    return None


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # outbox id -> reason
    failed: dict[str, str] = field(default_factory=dict)
    deferred: dict[str, str] = field(default_factory=dict)  # outbox id -> why it waits
    recovered: dict[str, str] = field(default_factory=dict)  # interrupted rows -> what we decided


@dataclass
class _Budget:
    """Per-run view of one mailbox/domain: how many sent today and when last, kept in memory."""

    count: int
    cap: int
    last: datetime | None = None


async def deliver_due(
    repository,
    mailer: Mailer,
    *,
    now: datetime,
    public_base_url: str,
    secret_key: str,
    campaign_id: str | None = None,
    limit: int = 500,
    policy: SendPolicy | None = None,
    lookup: DeliveryLookup | None = None,
) -> DeliveryReport:
    """Recover interrupted sends, then send what is due at ``now`` within windows, caps and gaps."""
    policy = policy or DEFAULT_POLICY
    if lookup is None and policy.sent_archive_dir is not None:
        lookup = SentArchive(policy.sent_archive_dir)
    run = asyncio.to_thread
    report = DeliveryReport()
    await recover_interrupted(repository, mailer, now=now, policy=policy, lookup=lookup, report=report)
    rows = await run(repository.due_outbox, now, limit)
    day = now.astimezone(ZoneInfo("UTC")).replace(hour=0, minute=0, second=0, microsecond=0)
    campaigns: dict[str, CampaignView] = {}
    mailboxes: dict[str, _Budget | None] = {}
    domains: dict[str, _Budget] = {}
    for row in rows:
        if campaign_id and row.campaign_id != campaign_id:
            continue
        if row.campaign_id not in campaigns:
            verdict = await guardrails.check_campaign(repository, row.campaign_id, now=now, policy=policy)
            campaigns[row.campaign_id] = await run(repository.get_campaign, row.campaign_id)
            if verdict.pause:
                log.warning("campaign %s paused: %s", row.campaign_id, verdict.reason)
        campaign = campaigns[row.campaign_id]
        if campaign.status in ("paused", "cancelled"):
            report.skipped[row.id] = f"campaign {campaign.status}"
            continue
        mailbox = normalize_email(row.mailbox or campaign.brief.sender.email)
        if mailbox not in mailboxes:
            mailboxes[mailbox] = await run(_mailbox_budget, repository, mailbox, day, policy)
        budget = mailboxes[mailbox]
        if budget is None:
            report.skipped[row.id] = f"mailbox {mailbox} paused"
            continue
        domain = row.recipient_domain or email_domain(row.to_email) or ""
        if domain not in domains:
            count = await run(lambda d=domain: repository.sends_between(day, day + timedelta(days=1), recipient_domain=d))
            domains[domain] = _Budget(count, policy.domain_daily_cap)
        wait = _why_wait(row, now, day, policy, mailbox, budget, domain, domains[domain])
        if wait is not None:
            due, why = wait
            explain = {**(row.explain or {}), "deferred": why}
            await run(lambda r=row, d=due, e=explain: repository.schedule_outbox(r.id, due_at=d, explain=e))
            report.deferred[row.id] = why
            reason = "quiet_hours" if "window" in why else "rate_limit"
            metrics.record_deferred(metrics.provider_of(mailer), reason)
            continue
        message = outgoing(row, campaign, public_base_url=public_base_url, secret_key=secret_key)
        outcome = await deliver_one(repository, mailer, row, campaign, now=now, policy=policy,
                                    message=message, lookup=lookup)
        if outcome.status == "sent":
            report.sent.append(row.id)
            metrics.record_sent(outcome.detail)
            budget.count, budget.last = budget.count + 1, now
            domains[domain].count += 1
        elif outcome.status == "blocked":
            await guardrails.pause_mailbox(repository, row.workspace_id, row.campaign_id, mailbox, outcome.detail, now)
            mailboxes[mailbox] = None
            report.failed[row.id] = f"mailbox blocked: {outcome.detail}"
        elif outcome.status in ("cancelled", "busy"):
            report.skipped[row.id] = outcome.detail
        else:
            if outcome.status == "queued":  # a transient failure: retried later
                metrics.record_deferred(metrics.provider_of(mailer), "temporary_failure")
            report.failed[row.id] = outcome.detail
    return report


def _mailbox_budget(repository, mailbox: str, day: datetime, policy: SendPolicy) -> _Budget | None:
    state = repository.mailbox_state(mailbox)
    if state.paused_at is not None:
        return None
    cap = warmup_cap(policy.mailbox_daily_cap, state.first_send_at, day.date(),
                     start=policy.warmup_start, ramp_days=policy.warmup_days)
    count = repository.sends_between(day, day + timedelta(days=1), mailbox=mailbox)
    return _Budget(count, cap, repository.last_send_at(mailbox))


def _why_wait(row: OutboxView, now: datetime, day: datetime, policy: SendPolicy, mailbox: str,
              budget: _Budget, domain: str, domain_budget: _Budget) -> tuple[datetime, str] | None:
    """(new due time, reason) when this row must wait: outside its window, a cap, or the gap."""
    tz = ZoneInfo((row.explain or {}).get("tz") or policy.fallback_timezone)
    window = policy.window
    if not policy.immediate and not window.contains(now, tz):
        due = window.next_open(now, tz) + jitter(row.message_id, 1800, "window")
        return due, f"outside the {window.start:%H:%M}-{window.end:%H:%M} window in {tz.key}; next opening"
    tomorrow = window.next_open(day + timedelta(days=1), tz) + jitter(row.message_id, 1800, "window")
    if budget.count >= budget.cap:
        return tomorrow, f"mailbox {mailbox} reached its daily cap of {budget.cap} (warm-up ramp)"
    if domain_budget.count >= domain_budget.cap:
        return tomorrow, f"recipient domain {domain} reached its daily cap of {domain_budget.cap}"
    if budget.last is not None and not policy.immediate:
        gap = timedelta(seconds=policy.gap_seconds) + jitter(row.message_id, policy.gap_jitter_seconds, "gap")
        if now < budget.last + gap:
            return budget.last + gap, f"gap of {gap.total_seconds():.0f}s after the mailbox's last send"
    return None


async def recover_interrupted(repository, mailer: Mailer, *, now: datetime, policy: SendPolicy | None = None,
                              lookup: DeliveryLookup | None = None, report: DeliveryReport | None = None,
                              claimed_before: datetime | None = None) -> DeliveryReport:
    """Settle rows a dead worker left in "sending" (claimed longer than the lease ago)."""
    policy = policy or DEFAULT_POLICY
    report = report or DeliveryReport()
    cutoff = claimed_before or datetime.now(UTC) - timedelta(seconds=policy.lease_seconds)
    for row in await asyncio.to_thread(repository.interrupted_outbox, cutoff):
        outcome = await settle_ambiguous(repository, mailer, row, now=now, lookup=lookup)
        if outcome is not None:
            report.recovered[row.id] = f"{outcome.status}: {outcome.detail}"
    return report


async def stop_sequence(repository, campaign_id: str | None, email: str, reason: str, *,
                        workspace_id: str | None = None) -> int:
    """Cancel a contact's remaining steps (reply, bounce, unsubscribe, complaint); one campaign,
    or every campaign of the workspace when ``campaign_id`` is None. Returns rows cancelled."""
    return await asyncio.to_thread(_change_sequence, repository, campaign_id, email, workspace_id, reason, None)


async def pause_sequence(repository, campaign_id: str, email: str, until: datetime) -> int:
    """Hold a contact's remaining steps until ``until`` (e.g. an out-of-office return date),
    keeping the gaps between them. Returns rows moved."""
    return await asyncio.to_thread(_change_sequence, repository, campaign_id, email, None, None, until)


def _change_sequence(repository, campaign_id, email, workspace_id, reason, until) -> int:  # type: ignore[no-untyped-def]
    address = normalize_email(email)
    rows = [r for r in repository.outbox_list(campaign_id=campaign_id, limit=100_000)
            if normalize_email(r.to_email) == address and r.status in STOPPABLE
            and (workspace_id is None or r.workspace_id == workspace_id)]
    if until is not None:
        rows = [r for r in rows if r.status == "queued"]
        earliest = min((r.due_at or until for r in rows), default=until)
        shift = until - earliest
        if shift <= timedelta(0):
            return 0
        for r in rows:
            explain = {**(r.explain or {}), "paused": f"sequence paused until {until.isoformat()}"}
            repository.schedule_outbox(r.id, due_at=(r.due_at or until) + shift, explain=explain)
        return len(rows)
    for r in rows:
        repository.mark_outbox(r.id, "cancelled", error=f"sequence stopped: {reason}")
    return len(rows)


async def erase_contact(repository, workspace_id: str, email: str) -> dict[str, int]:
    """GDPR erasure: delete the recipient's personal data, keep a hashed suppression entry."""
    return await asyncio.to_thread(repository.erase_contact, workspace_id, email)
