"""Repository behaviour on a migrated SQLite file; tests/integration/test_repository_pg.py runs
the same tests on PostgreSQL by overriding the ``db_url`` fixture."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.db import Repository, make_engine, migrate
from core.db.digests import content_hash
from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Company,
    Contact,
    DraftRow,
    EvidenceRow,
    LeadRow,
    OutboxMessage,
    Suppression,
)
from core.errors import Conflict, InvalidInput, NotFound
from core.models import (
    CampaignBrief,
    Claim,
    Evidence,
    Lead,
    Qualification,
    Sender,
    Signal,
)
from core.models import Company as CompanyModel
from core.models import Contact as ContactModel
from core.models import Draft as DraftModel


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'repo.db'}"


@pytest.fixture
def engine(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def repo(engine) -> Repository:
    from core.db import session_factory

    return Repository(session_factory(engine))


def count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where))


def brief(name: str = "Q3 outreach") -> CampaignBrief:
    return CampaignBrief(
        name=name,
        offer="Managed data pipelines for logistics teams",
        sender=Sender(name="Ana Ruiz", company="Pipewise", email="ana@pipewise.io",
                      postal_address="1 Main St, Springfield"),
    )


def make_lead(url: str = "https://acme.example/", *, score: int = 80, domain: str = "acme.example",
              subject: str = "Hello Acme", steps: int = 2, index: int = 0) -> Lead:
    source = url + "about"
    return Lead(
        url=url,
        index=index,
        status="qualified",
        company=CompanyModel(
            name=domain.split(".")[0].title(), domain=domain, industry="logistics",
            signals=[Signal(kind="hiring", text="Hiring 3 engineers", source_url=url + "jobs")],
            facts=[Evidence(claim="Ships to 40 countries", source_url=source)],
        ),
        contacts=[
            ContactModel(name="Jo Park", title="CTO", email="Jo@" + domain, source_url=source,
                         email_status="found"),
            ContactModel(name="Sam Lee", title="Head of Ops", source_url=source),
        ],
        qualification=Qualification(
            fit=True, score=score, reasons=["logistics"],
            evidence=[Evidence(claim="Logistics company", source_url=source)],
        ),
        drafts=[
            DraftModel(step=step, subject=f"{subject} #{step}", body=f"Body {step} for {domain}",
                       claims=[Claim(text="Ships to 40 countries", source_url=source)],
                       to_email="jo@" + domain, to_name="Jo Park", flags=["long"] if step == 2 else [])
            for step in range(1, steps + 1)
        ],
    )


@pytest.fixture
def workspace(repo) -> str:
    return repo.ensure_workspace("acme-team")


@pytest.fixture
def campaign(repo, workspace) -> str:
    return repo.create_campaign(brief(), ["https://acme.example/"], workspace_id=workspace)


def test_ensure_workspace_returns_the_same_id(repo):
    first = repo.ensure_workspace()
    assert repo.ensure_workspace() == first
    assert repo.ensure_workspace("other") != first
    assert len(first) == 36


def test_campaign_roundtrip_and_status(repo, workspace, campaign):
    view = repo.get_campaign(campaign, workspace_id=workspace)
    assert view.thread_id == campaign
    assert view.brief == brief()
    assert view.inputs == ["https://acme.example/"]
    assert view.status == "draft"
    assert view.created_at.tzinfo is not None
    assert view.counts["inputs"] == 1
    assert [c.id for c in repo.list_campaigns(workspace)] == [campaign]

    other = repo.create_campaign(brief("Second"), [], workspace_id=workspace, thread_id="t-2",
                                 engine="llm")
    assert repo.campaign_by_thread("t-2").id == other
    with pytest.raises(Conflict):
        repo.create_campaign(brief("Third"), [], workspace_id=workspace, thread_id="t-2")

    done = repo.set_campaign_status(campaign, "failed", error="fetch budget exhausted")
    assert (done.status, done.error) == ("failed", "fetch budget exhausted")
    assert repo.get_campaign(campaign).status == "failed"
    with pytest.raises(InvalidInput):
        repo.set_campaign_status(campaign, "exploded")


def test_save_lead_is_idempotent(repo, engine, campaign):
    lead = make_lead()
    first = repo.save_lead(campaign, lead)
    tables = (Company, Contact, LeadRow, EvidenceRow, DraftRow, ApprovalItem)
    before = {t.__tablename__: count(engine, t) for t in tables}
    assert before == {"companies": 1, "contacts": 2, "leads": 1, "evidence": 3, "drafts": 2,
                      "approval_items": 2}

    assert repo.save_lead(campaign, lead) == first
    assert {t.__tablename__: count(engine, t) for t in tables} == before

    rescored = make_lead(score=55, subject="Updated")
    rescored.contacts[0].name = None  # a later save without a name keeps the name we had
    assert repo.save_lead(campaign, rescored) == first
    items = repo.approval_items(campaign)
    assert {i.score for i in items} == {55}
    assert {i.draft.subject for i in items} == {"Updated #1", "Updated #2"}
    assert items[0].contact.name == "Jo Park"
    assert count(engine, DraftRow) == 2
    assert repo.campaign_leads(campaign)[0].qualification.score == 55


def test_save_lead_keeps_reviewer_work(repo, campaign):
    repo.save_lead(campaign, make_lead())
    first, second = sorted(repo.approval_items(campaign), key=lambda i: i.draft.step)
    repo.decide(first.id, "edit", "rev@acme.example", subject="Edited subject")
    repo.decide(second.id, "approve", "rev@acme.example")

    repo.save_lead(campaign, make_lead(score=30, subject="Regenerated"))
    edited = repo.get_approval(first.id)
    assert edited.draft.subject == "Edited subject"
    assert edited.status == "pending"
    approved = repo.get_approval(second.id)
    assert approved.status == "approved"
    assert approved.draft.subject == "Hello Acme #2"


def test_counts_per_stage(repo, campaign):
    repo.save_lead(campaign, make_lead())
    repo.save_lead(campaign, Lead(url="https://broken.example/", status="error", error="timeout",
                                  index=1))
    counts = repo.campaign_counts(campaign)
    assert counts["leads"] == {"total": 2, "qualified": 1, "disqualified": 0, "error": 1,
                               "in_progress": 0}
    assert counts["drafts"] == 2
    assert counts["approvals"] == {"pending": 2, "approved": 0, "rejected": 0}
    assert [lead.url for lead in repo.campaign_leads(campaign)] == [
        "https://acme.example/", "https://broken.example/"]


def test_approval_flow_writes_audit(repo, engine, workspace, campaign):
    repo.save_lead(campaign, make_lead(score=90))
    repo.save_lead(campaign, make_lead("https://beta.example/", score=40, domain="beta.example",
                                       steps=1, index=1))
    pending = repo.approval_items(campaign, workspace_id=workspace)
    assert [i.score for i in pending] == [90, 90, 40]
    top = pending[0]
    assert top.company.domain == "acme.example"
    assert top.contact.email == "jo@acme.example"
    assert top.draft.claims[0].source_url == "https://acme.example/about"
    assert top.lead_url == "https://acme.example/"

    approved = repo.decide(top.id, "approve", "rev@acme.example")
    assert approved.status == "approved"
    assert approved.decided_by == "rev@acme.example"
    assert approved.approved_hash == content_hash(top.draft.subject, top.draft.body)
    assert repo.decide(top.id, "approve", "rev@acme.example").status == "approved"  # idempotent
    with pytest.raises(Conflict):
        repo.decide(top.id, "reject", "rev@acme.example")
    with pytest.raises(Conflict):
        repo.decide(top.id, "edit", "rev@acme.example", body="late edit")

    edited = repo.decide(pending[2].id, "edit", "rev@acme.example", body="New body")
    assert (edited.status, edited.draft.body) == ("pending", "New body")
    with pytest.raises(InvalidInput):
        repo.decide(pending[2].id, "edit", "rev@acme.example")
    rejected = repo.decide(pending[2].id, "reject", "boss@acme.example")
    assert rejected.status == "rejected"

    approve_with_edit = repo.decide(pending[1].id, "approve", "rev@acme.example",
                                    subject="Sharper subject")
    assert approve_with_edit.approved_subject == "Sharper subject"
    assert approve_with_edit.approved_hash == content_hash("Sharper subject", pending[1].draft.body)

    log = repo.audit_log(workspace)
    assert [e.action for e in log] == [
        "approval.approve", "approval.edit", "approval.reject", "approval.approve"]
    assert log[0].before["status"] == "pending" and log[0].after["status"] == "approved"
    assert log[1].before["body"] == pending[2].draft.body and log[1].after["body"] == "New body"
    assert count(engine, AuditEntry, AuditEntry.object_id == top.id) == 1

    approved_ids = [i.id for i in repo.approval_items(campaign, status="approved",
                                                      order_by="created_at")]
    assert sorted(approved_ids) == sorted([top.id, pending[1].id])
    assert len(repo.approval_items(campaign, status=None)) == 3
    assert len(repo.approval_items(campaign, status=None, limit=1, offset=2)) == 1


def test_outbox_enqueue_is_idempotent(repo, engine, campaign):
    repo.save_lead(campaign, make_lead())
    item = repo.approval_items(campaign)[0]
    with pytest.raises(Conflict):
        repo.enqueue_outbox(item.id)  # not approved yet
    approved = repo.decide(item.id, "approve", "rev@acme.example")

    message, created = repo.enqueue_outbox(item.id, explain={"why": "score 80"})
    again, created_again = repo.enqueue_outbox(item.id)
    assert (created, created_again) == (True, False)
    assert again.id == message.id and again.message_id == message.message_id
    assert count(engine, OutboxMessage) == 1
    assert message.idempotency_key == f"{campaign}:{item.contact.id}:{item.draft.step}"
    assert message.message_id.startswith("<") and message.message_id.endswith("@pipewise.io>")
    assert (message.to_email, message.subject, message.body) == (
        "jo@acme.example", approved.approved_subject, approved.approved_body)
    assert message.content_hash == approved.approved_hash
    assert message.status == "queued" and message.explain == {"why": "score 80"}
    assert [m.id for m in repo.outbox_for_campaign(campaign)] == [message.id]


def test_outbox_status_transitions(repo, campaign):
    repo.save_lead(campaign, make_lead())
    first, second = sorted(repo.approval_items(campaign), key=lambda i: i.draft.step)
    for item in (first, second):
        repo.decide(item.id, "approve", "rev@acme.example")
    now = datetime.now(UTC)
    soon, _ = repo.enqueue_outbox(first.id, sender_domain="mail.pipewise.io")
    later, _ = repo.enqueue_outbox(second.id, due_at=now + timedelta(days=3))
    assert soon.message_id.endswith("@mail.pipewise.io>")
    assert [m.id for m in repo.due_outbox(now)] == [soon.id]
    assert {m.id for m in repo.due_outbox(now + timedelta(days=4))} == {soon.id, later.id}

    claimed = repo.mark_outbox(soon.id, "sending")
    assert claimed.attempts == 1
    with pytest.raises(Conflict):
        repo.mark_outbox(soon.id, "sending")  # a second worker cannot claim it
    sent = repo.mark_outbox(soon.id, "sent", provider="smtp", provider_message_id="abc-1")
    assert sent.sent_at is not None and sent.sent_at.tzinfo is not None
    assert repo.mark_outbox(soon.id, "sent").provider_message_id == "abc-1"  # repeat is a no-op
    with pytest.raises(Conflict):
        repo.mark_outbox(soon.id, "queued")
    assert repo.find_outbox(provider_message_id="abc-1").id == soon.id
    assert repo.find_outbox(message_id=later.message_id).id == later.id
    assert repo.due_outbox(now + timedelta(days=4))[0].id == later.id

    failed = repo.mark_outbox(later.id, "failed", error="451 try later")
    assert failed.last_error == "451 try later"
    requeued = repo.mark_outbox(later.id, "queued", due_at=now - timedelta(minutes=1))
    assert [m.id for m in repo.due_outbox(now)] == [requeued.id]
    with pytest.raises(NotFound):
        repo.mark_outbox("0" * 36, "sent")
    with pytest.raises(InvalidInput):
        repo.mark_outbox(later.id, "delivered")


def test_other_workspace_sees_nothing(repo, workspace, campaign):
    repo.save_lead(campaign, make_lead())
    item = repo.approval_items(campaign)[0]
    stranger = repo.ensure_workspace("stranger")
    with pytest.raises(NotFound):
        repo.get_campaign(campaign, workspace_id=stranger)
    with pytest.raises(NotFound):
        repo.get_approval(item.id, workspace_id=stranger)
    with pytest.raises(NotFound):
        repo.decide(item.id, "approve", "x@stranger.example", workspace_id=stranger)
    with pytest.raises(NotFound):
        repo.campaign_leads(campaign, workspace_id=stranger)
    with pytest.raises(NotFound):
        repo.outbox_for_campaign(campaign, workspace_id=stranger)
    assert repo.approval_items(campaign, workspace_id=stranger) == []
    assert repo.list_campaigns(stranger) == []
    assert repo.get_approval(item.id, workspace_id=workspace).status == "pending"
    with pytest.raises(NotFound):
        repo.get_campaign("0" * 36)


def test_suppression_by_address_domain_and_globally(repo, engine, workspace):
    other = repo.ensure_workspace("other")
    assert repo.suppress(workspace, "Jo@Acme.example", "unsubscribe") is True
    assert repo.suppress(workspace, "jo@acme.example ", "unsubscribe") is False
    assert repo.is_suppressed(workspace, "JO@acme.EXAMPLE")
    assert not repo.is_suppressed(other, "jo@acme.example")
    assert not repo.is_suppressed(workspace, "kim@acme.example")

    repo.suppress(workspace, "competitor.example", "domain")
    assert repo.is_suppressed(workspace, "anyone@competitor.example")
    assert repo.is_suppressed(workspace, "anyone@eu.competitor.example")
    assert not repo.is_suppressed(workspace, "anyone@notcompetitor.example")

    repo.suppress(None, "complainer@gmail.example", "complaint")
    assert repo.is_suppressed(workspace, "complainer@gmail.example")
    assert repo.is_suppressed(other, "complainer@gmail.example")
    assert repo.suppress(None, "complainer@gmail.example", "complaint") is False

    repo.suppress(workspace, "jo@acme.example", "erasure")
    repo.suppress(other, "forget@me.example", "erasure")
    assert repo.is_suppressed(other, "forget@me.example")
    with engine.connect() as conn:
        stored = set(conn.scalars(select(Suppression.email)))
    assert "jo@acme.example" not in stored and "forget@me.example" not in stored

    with pytest.raises(InvalidInput):
        repo.suppress(workspace, "not-an-address", "manual")
    with pytest.raises(InvalidInput):
        repo.suppress(workspace, "x@y.example", "because")


def test_events_are_deduplicated_by_provider_id(repo, workspace, campaign):
    event, created = repo.add_event(workspace, "delivered", campaign_id=campaign,
                                    provider_event_id="sg-1", payload={"status": 250})
    again, created_again = repo.add_event(workspace, "delivered", campaign_id=campaign,
                                          provider_event_id="sg-1")
    assert (created, created_again) == (True, False) and again.id == event.id
    repo.add_event(workspace, "reply", campaign_id=campaign)
    repo.add_event(workspace, "reply", campaign_id=campaign)
    assert [e.kind for e in repo.events(workspace, campaign_id=campaign)].count("reply") == 2
    assert len(repo.events(workspace, kind="delivered")) == 1


def test_audit_entries_are_listed_by_object(repo, workspace):
    entry = repo.audit(workspace, "cli", "campaign.export", "campaign", "c-1",
                       after={"rows": 3})
    repo.audit(workspace, "cli", "campaign.export", "campaign", "c-2")
    found = repo.audit_log(workspace, object_id="c-1")
    assert [e.id for e in found] == [entry]
    assert found[0].after == {"rows": 3} and found[0].at.tzinfo is not None


def test_users_and_api_keys(repo, workspace):
    user = repo.create_user(workspace, "Admin@Acme.example", "argon2-hash", role="admin")
    assert repo.user_by_email("admin@acme.example").id == user.id
    with pytest.raises(Conflict):
        repo.create_user(workspace, "admin@acme.example", None)
    with pytest.raises(InvalidInput):
        repo.create_user(workspace, "x@acme.example", None, role="owner")
    key = repo.create_api_key(workspace, "ci", key_hash="h" * 64, prefix="lg_abcd", user_id=user.id)
    used = repo.api_key_by_hash("h" * 64)
    assert used.id == key.id and used.last_used_at is not None
    repo.revoke_api_key(key.id, workspace_id=workspace)
    assert repo.api_key_by_hash("h" * 64) is None
    with pytest.raises(NotFound):
        repo.revoke_api_key(key.id, workspace_id=repo.ensure_workspace("other"))


def test_concurrent_saves_and_enqueues_write_once(repo, engine, campaign):
    lead = make_lead()
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(lambda _: repo.save_lead(campaign, lead), range(12)))
    assert len(ids) == 1
    assert count(engine, LeadRow) == 1 and count(engine, ApprovalItem) == 2
    assert count(engine, Company) == 1 and count(engine, Contact) == 2

    item = repo.approval_items(campaign)[0]
    repo.decide(item.id, "approve", "rev@acme.example")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: repo.enqueue_outbox(item.id), range(12)))
    assert sum(created for _, created in results) == 1
    assert len({message.id for message, _ in results}) == 1
    assert count(engine, OutboxMessage) == 1


def test_drafts_are_linked_to_their_recipient(repo, engine, campaign):
    lead = make_lead(steps=1)
    lead.drafts[0].to_email = "Founder@acme.example"
    lead.drafts.append(DraftModel(step=2, subject="Follow up", body="Checking in"))
    repo.save_lead(campaign, lead)
    by_step = {i.draft.step: i for i in repo.approval_items(campaign)}
    assert by_step[1].contact.email == "founder@acme.example"  # a new contact for the recipient
    assert by_step[2].contact.email == "jo@acme.example"  # no recipient: first contact with e-mail
    assert count(engine, Contact) == 3
    repo.save_lead(campaign, lead)
    assert count(engine, Contact) == 3


def test_enqueue_needs_a_recipient(repo, campaign):
    lead = make_lead(steps=1)
    lead.contacts = [ContactModel(name="No Mail", title="CEO")]
    lead.drafts[0].to_email = None
    repo.save_lead(campaign, lead)
    item = repo.approval_items(campaign)[0]
    assert item.contact is None
    repo.decide(item.id, "approve", "rev@acme.example")
    with pytest.raises(Conflict):
        repo.enqueue_outbox(item.id)
