"""Sequencer rules on a migrated SQLite repository with the real file outbox: queueing with
explanations, caps, warm-up, gaps, stop/pause, suppression and content checks at send time,
guardrails, blocked mailboxes, crash recovery decisions and GDPR erasure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from agents import sequencer
from agents.send_policy import SendPolicy
from core.db import Repository, make_engine, migrate, session_factory
from core.db.tables import OutboxMessage
from core.models import CampaignBrief, Company, Contact, Draft, Lead, Qualification, Sender
from tools.mail.base import SendResult
from tools.mail.errors import MailBlockedError, MailTransientError
from tools.mail.file_outbox import FileOutboxMailer

TUESDAY_10_BERLIN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 CET
SENDER = Sender(name="Ana Ruiz", company="Pipewise", email="ana@pipewise.io", postal_address="1 Main St, Springfield")
LINKS = {"public_base_url": "https://leadgen.example", "secret_key": "k" * 32}


def seed_approved(repo: Repository, n: int, *, steps: int = 1, country: str | None = "Germany",
                  shared_domain: str | None = None, approve_steps: tuple[int, ...] = (1,)) -> tuple[str, list[str]]:
    """A campaign with ``n`` leads (one contact each), the given steps approved; returns
    (campaign id, approval ids)."""
    workspace = repo.ensure_workspace("seq-team")
    brief = CampaignBrief(name="seq", offer="Managed pipelines", sender=SENDER, sequence_steps=max(steps, 1))
    campaign = repo.create_campaign(brief, [], workspace_id=workspace)
    for i in range(n):
        domain = f"co{i}.example"
        email = f"lead{i}@{shared_domain or domain}"
        repo.save_lead(campaign, Lead(
            url=f"https://{domain}/", index=i, status="qualified",
            company=Company(name=f"Co {i}", domain=domain, country=country),
            contacts=[Contact(name=f"Lead {i}", email=email, email_status="found")],
            qualification=Qualification(fit=True, score=80),
            drafts=[Draft(step=s, subject=f"Hello {i} #{s}", body=f"Body {s} for lead {i}", to_email=email)
                    for s in range(1, steps + 1)],
        ))
    ids = []
    for item in repo.approval_items(campaign, limit=10_000):
        if item.draft.step in approve_steps:
            repo.decide(item.id, "approve", "rev@pipewise.io")
            ids.append(item.id)
    return campaign, ids


@pytest.fixture
def repo(tmp_path) -> Repository:
    url = f"sqlite:///{tmp_path / 'seq.db'}"
    migrate.upgrade(url)
    return Repository(session_factory(make_engine(url)))


@pytest.fixture
def mailer(tmp_path) -> FileOutboxMailer:
    return FileOutboxMailer(tmp_path / "outbox")


def policy(**changes) -> SendPolicy:
    base = {"gap_seconds": 0, "gap_jitter_seconds": 0, "mailbox_daily_cap": 1000, "warmup_start": 1000,
            "domain_daily_cap": 1000, "guardrail_min_sent": 1000}
    return SendPolicy(**(base | changes))


def deliver(repo, mailer, now, **kwargs):
    return asyncio.run(sequencer.deliver_due(repo, mailer, now=now, **LINKS, **kwargs))


def queue(repo, ids, now, pol):
    return asyncio.run(sequencer.queue_approved(repo, ids, now=now, policy=pol))


def test_queue_explains_and_is_idempotent(repo):
    campaign, ids = seed_approved(repo, 2, steps=2, approve_steps=(1, 2))
    pol = policy()
    assert queue(repo, ids, TUESDAY_10_BERLIN, pol) == 4
    assert queue(repo, ids, TUESDAY_10_BERLIN, pol) == 0
    rows = repo.outbox_for_campaign(campaign)
    first = next(r for r in rows if r.step == 1)
    second = next(r for r in rows if r.step == 2 and r.contact_id == first.contact_id)
    assert first.due_at == TUESDAY_10_BERLIN
    assert first.explain["tz"] == "Europe/Berlin" and "first touch" in first.explain["delay"]
    assert second.due_at.astimezone(UTC).date() == datetime(2026, 12, 4).date()  # Tue + 3 business days
    assert "3 business days after step 1" in second.explain["delay"]
    assert first.mailbox == "ana@pipewise.io" and first.recipient_domain.endswith(".example")


def test_first_touch_waits_for_the_recipients_window(repo):
    campaign, ids = seed_approved(repo, 1, country="United States")
    saturday_night = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    queue(repo, ids, saturday_night, policy())
    row = repo.outbox_for_campaign(campaign)[0]
    local = row.due_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert (local.weekday(), local.hour) == (0, 9)  # Monday 09:xx New York
    assert "America/New_York" in row.explain["timezone"]


def test_sends_due_once_with_compliance_headers(repo, mailer):
    campaign, ids = seed_approved(repo, 3)
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    assert len(report.sent) == 3
    again = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    assert again.sent == []
    sent = mailer.list_sent()
    assert len(sent) == 3
    assert all(m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in sent)
    assert {r.status for r in repo.outbox_for_campaign(campaign)} == {"sent"}


def test_warmup_cap_defers_the_rest_to_the_next_day(repo, mailer):
    _, ids = seed_approved(repo, 25)
    pol = policy(mailbox_daily_cap=200, warmup_start=20)
    queue(repo, ids, TUESDAY_10_BERLIN, pol)
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol)
    assert len(report.sent) == 20 and len(report.deferred) == 5
    assert all("daily cap of 20" in why for why in report.deferred.values())
    wednesday = TUESDAY_10_BERLIN + timedelta(days=1)
    assert len(deliver(repo, mailer, wednesday, policy=pol).sent) == 5


def test_domain_cap(repo, mailer):
    _, ids = seed_approved(repo, 4, shared_domain="bigcorp.example")
    pol = policy(domain_daily_cap=2)
    queue(repo, ids, TUESDAY_10_BERLIN, pol)
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol)
    assert len(report.sent) == 2
    assert all("bigcorp.example" in why for why in report.deferred.values())


def test_gap_between_sends_is_jittered_and_reproducible(repo, mailer):
    _, ids = seed_approved(repo, 3)
    pol = policy(gap_seconds=60, gap_jitter_seconds=60)
    queue(repo, ids, TUESDAY_10_BERLIN, pol)
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol)
    assert len(report.sent) == 1 and len(report.deferred) == 2
    dues = {r.id: r.due_at for r in repo.outbox_list(status="queued")}
    assert all(TUESDAY_10_BERLIN + timedelta(seconds=60) <= d < TUESDAY_10_BERLIN + timedelta(seconds=120)
               for d in dues.values())
    assert len(set(dues.values())) == 2  # seeded by message id: different per message


def test_suppressed_at_send_time_is_cancelled_not_sent(repo, mailer):
    campaign, ids = seed_approved(repo, 2)
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    target = repo.outbox_for_campaign(campaign)[0]
    repo.suppress(target.workspace_id, target.to_email, "unsubscribe")
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    assert report.skipped == {target.id: "suppressed"}
    assert repo.get_outbox(target.id).status == "cancelled"
    assert all(target.to_email not in m["To"] for m in mailer.list_sent())


def test_content_changed_after_approval_is_refused(repo, mailer):
    campaign, ids = seed_approved(repo, 1)
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    row = repo.outbox_for_campaign(campaign)[0]
    with repo._tx() as s:  # noqa: SLF001 - simulate tampering below the API
        s.get(OutboxMessage, row.id).body = "Something nobody approved"
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    assert report.failed == {row.id: "content changed after approval"}
    assert mailer.list_sent() == []


def test_stop_and_pause_sequence(repo, mailer):
    campaign, ids = seed_approved(repo, 2, steps=3, approve_steps=(1, 2, 3))
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    rows = repo.outbox_for_campaign(campaign)
    stopped, paused = rows[0].to_email, next(r.to_email for r in rows if r.to_email != rows[0].to_email)
    assert asyncio.run(sequencer.stop_sequence(repo, campaign, stopped.upper(), "reply")) == 3
    until = TUESDAY_10_BERLIN + timedelta(days=20)
    assert asyncio.run(sequencer.pause_sequence(repo, campaign, paused, until)) == 3
    after = {(r.to_email, r.step): r for r in repo.outbox_for_campaign(campaign)}
    assert {after[(stopped, s)].status for s in (1, 2, 3)} == {"cancelled"}
    assert after[(paused, 1)].due_at == until
    assert after[(paused, 2)].due_at - after[(paused, 1)].due_at == timedelta(days=3)  # gaps kept
    assert deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy()).sent == []


def test_bounce_rate_guardrail_pauses_the_campaign(repo, mailer):
    campaign, ids = seed_approved(repo, 50)
    pol = policy(guardrail_min_sent=20)
    queue(repo, ids[:40], TUESDAY_10_BERLIN, pol)
    assert len(deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol).sent) == 40
    sent = [r for r in repo.outbox_for_campaign(campaign) if r.status == "sent"]
    repo.add_event(sent[0].workspace_id, "bounce", campaign_id=campaign, outbox_message_id=sent[0].id)
    queue(repo, ids[40:45], TUESDAY_10_BERLIN, pol)
    assert len(deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol).sent) == 5  # 1/40 = 2.5%: fine
    repo.add_event(sent[1].workspace_id, "reply_bounce", campaign_id=campaign, outbox_message_id=sent[1].id)
    queue(repo, ids[45:], TUESDAY_10_BERLIN, pol)
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=pol)  # 2/45 = 4.4% > 3%
    assert report.sent == [] and len(report.skipped) == 5
    assert repo.get_campaign(campaign).status == "paused"
    assert "bounce rate 2/45" in repo.get_campaign(campaign).error


def test_complaint_pauses_campaign_with_alert(repo, mailer):
    campaign, ids = seed_approved(repo, 4)
    queue(repo, ids[:2], TUESDAY_10_BERLIN, policy())
    deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    row = next(r for r in repo.outbox_for_campaign(campaign) if r.status == "sent")
    repo.add_event(row.workspace_id, "spamreport", campaign_id=campaign, outbox_message_id=row.id)
    queue(repo, ids[2:], TUESDAY_10_BERLIN, policy())
    report = deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    assert report.sent == [] and set(report.skipped.values()) == {"campaign paused"}
    assert repo.get_campaign(campaign).status == "paused"
    alerts = repo.events(row.workspace_id, campaign_id=campaign, kind="alert")
    assert "complaint rate" in alerts[0].payload["guardrail"]


class BlockingMailer:
    def __init__(self):
        self.calls = 0

    async def send(self, msg):
        self.calls += 1
        raise MailBlockedError("SMTP 554: sender blocked by spamhaus", code=554, provider="smtp")


def test_blocked_mailbox_pauses_and_keeps_messages_queued(repo):
    campaign, ids = seed_approved(repo, 3)
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    blocking = BlockingMailer()
    report = deliver(repo, blocking, TUESDAY_10_BERLIN, policy=policy())
    assert blocking.calls == 1 and len(report.failed) == 1 and len(report.skipped) == 2
    assert repo.mailbox_state("ana@pipewise.io").paused_at is not None
    assert {r.status for r in repo.outbox_for_campaign(campaign)} == {"queued"}


class FlakyMailer:
    async def send(self, msg):
        raise MailTransientError("SMTP 451: try later", code=451, provider="smtp")


def test_transient_error_retries_later_with_backoff(repo):
    campaign, ids = seed_approved(repo, 1)
    pol = policy(retry_base_seconds=300)
    queue(repo, ids, TUESDAY_10_BERLIN, pol)
    deliver(repo, FlakyMailer(), TUESDAY_10_BERLIN, policy=pol)
    row = repo.outbox_for_campaign(campaign)[0]
    assert (row.status, row.attempts, row.due_at) == ("queued", 1, TUESDAY_10_BERLIN + timedelta(seconds=300))
    deliver(repo, FlakyMailer(), row.due_at, policy=pol)
    row = repo.get_outbox(row.id)
    assert row.due_at == TUESDAY_10_BERLIN + timedelta(seconds=300 + 600)


class RecordingMailer:
    def __init__(self):
        self.ids = []

    async def send(self, msg):
        self.ids.append(msg.message_id)
        return SendResult("smtp", msg.rfc_message_id, accepted=True)


def _interrupt(repo, row_id, *, dispatched):
    now = datetime(2020, 1, 1, tzinfo=UTC)  # a claim long past its lease
    repo.claim_outbox(row_id, now)
    if dispatched:
        repo.mark_dispatched(row_id, now)


def test_recovery_resends_undispatched_and_never_resends_ambiguous(repo):
    campaign, ids = seed_approved(repo, 2)
    queue(repo, ids, TUESDAY_10_BERLIN - timedelta(hours=2), policy())
    undispatched, ambiguous = repo.outbox_for_campaign(campaign)
    _interrupt(repo, undispatched.id, dispatched=False)
    _interrupt(repo, ambiguous.id, dispatched=True)
    smtp = RecordingMailer()
    report = deliver(repo, smtp, TUESDAY_10_BERLIN, policy=policy(lease_seconds=60))
    assert smtp.ids == [undispatched.message_id]  # same Message-ID as the interrupted attempt
    assert repo.get_outbox(ambiguous.id).status == "unconfirmed"
    assert report.recovered[ambiguous.id].startswith("unconfirmed")


def test_recovery_trusts_provider_events_and_the_file_outbox(repo, mailer):
    campaign, ids = seed_approved(repo, 2)
    queue(repo, ids, TUESDAY_10_BERLIN - timedelta(hours=2), policy())
    reported, filed = repo.outbox_for_campaign(campaign)
    for row in (reported, filed):
        _interrupt(repo, row.id, dispatched=True)
    repo.add_event(reported.workspace_id, "delivered", campaign_id=campaign, outbox_message_id=reported.id)
    deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy(lease_seconds=60))
    assert repo.get_outbox(reported.id).status == "sent"
    assert repo.get_outbox(filed.id).status == "sent"  # re-sent safely: the file outbox dedupes
    assert [m["To"] for m in mailer.list_sent()] == [filed.to_email]


def test_a_live_claim_is_left_alone(repo):
    campaign, ids = seed_approved(repo, 1)
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    row = repo.outbox_for_campaign(campaign)[0]
    repo.claim_outbox(row.id, datetime.now(UTC))
    report = deliver(repo, RecordingMailer(), TUESDAY_10_BERLIN, policy=policy(lease_seconds=600))
    assert report.recovered == {} and repo.get_outbox(row.id).status == "sending"


def test_erase_contact_keeps_only_a_hashed_suppression(repo, mailer):
    campaign, ids = seed_approved(repo, 2, steps=2, approve_steps=(1, 2))
    queue(repo, ids, TUESDAY_10_BERLIN, policy())
    deliver(repo, mailer, TUESDAY_10_BERLIN, policy=policy())
    row = repo.outbox_for_campaign(campaign)[0]
    email, workspace = row.to_email, row.workspace_id
    counts = asyncio.run(sequencer.erase_contact(repo, workspace, email))
    assert counts["contacts"] == 1 and counts["outbox"] == 2
    assert repo.is_suppressed(workspace, email)
    rows = [r for r in repo.outbox_for_campaign(campaign) if r.contact_id is None]
    assert rows and all(email not in r.to_email and r.body == "" for r in rows)
    assert {r.status for r in rows} == {"sent", "cancelled"}
    assert all(email not in str(lead.model_dump()) for lead in repo.campaign_leads(campaign))
    with repo._tx() as s:  # noqa: SLF001
        from core.db.tables import Suppression
        stored = s.query(Suppression).all()
        assert [(x.email, x.reason) for x in stored] == [(None, "erasure")]
