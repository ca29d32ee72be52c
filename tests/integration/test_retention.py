"""The retention run on a migrated SQLite database with backdated rows, a page cache and an
object store on disk: what is erased, what is kept, dry runs and repeated runs."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from core.db import Repository, make_engine, migrate, session_factory
from core.db.digests import email_hash
from core.db.tables import (
    ApprovalItem,
    AuditEntry,
    Contact,
    DraftRow,
    Event,
    LeadRow,
    OutboxMessage,
    Suppression,
)
from core.models import CampaignBrief, Company, Draft, Lead, Qualification, Sender
from core.models import Contact as ContactModel
from core.retention import cutoff_for, purge_personal_data
from tools.retention import purge
from tools.storage import LocalObjectStore
from tools.web.cache import PageCache
from tools.web.types import Page

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=100)
RECENT = NOW - timedelta(days=2)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'leadgen.db'}"


@pytest.fixture
def engine(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def repo(sessions) -> Repository:
    return Repository(sessions)


@pytest.fixture
def workspace(repo) -> str:
    return repo.ensure_workspace("team")


def brief(name: str) -> CampaignBrief:
    return CampaignBrief(
        name=name, offer="Route planning for fleets",
        sender=Sender(name="Ana Ruiz", company="Pipewise", email="ana@pipewise.io",
                      postal_address="1 Main St, Springfield"),
    )


def lead(domain: str, person: str) -> Lead:
    email = f"{person.lower()}@{domain}"
    source = f"https://{domain}/team"
    return Lead(
        url=f"https://{domain}/", status="qualified",
        company=Company(name=domain.split(".")[0].title(), domain=domain),
        contacts=[ContactModel(name=person, title="CTO", email=email, source_url=source)],
        qualification=Qualification(fit=True, score=77, reasons=["fits"]),
        drafts=[
            Draft(step=1, subject=f"Hello {person}", body=f"Hi {person}, about your fleet.", to_email=email,
                  to_name=person),
            Draft(step=2, subject="Follow-up", body=f"{person}, one more thing.", to_email=email),
        ],
    )


def run_campaign(repo, engine, workspace, name: str, found: Lead, *, status: str, age: datetime,
                 send: str | None = "sent") -> str:
    """A campaign with one lead whose first step was approved (and queued/sent), dated ``age``."""
    campaign = repo.create_campaign(brief(name), [found.url], workspace_id=workspace)
    repo.save_lead(campaign, found)
    approvals = {step: item for item, step in repo.approval_ids_for_lead(campaign, found.url).items()}
    repo.decide(approvals[1], "edit", "reviewer@pipewise.io", body=found.drafts[0].body + " Edited.")
    repo.decide(approvals[1], "approve", "reviewer@pipewise.io")
    if send:
        message, _ = repo.enqueue_outbox(approvals[1])
        if send == "sent":
            repo.mark_outbox(message.id, "sending")
            repo.mark_outbox(message.id, "sent", provider="file")
        repo.add_event(workspace, "delivered", campaign_id=campaign, outbox_message_id=message.id,
                       payload={"email": found.contacts[0].email})
    repo.set_campaign_status(campaign, status)
    with engine.begin() as conn:
        conn.execute(update(LeadRow).where(LeadRow.campaign_id == campaign).values(created_at=age, updated_at=age))
        conn.execute(update(OutboxMessage).where(OutboxMessage.campaign_id == campaign)
                     .values(created_at=age, sent_at=age))
    return campaign


def rows(engine, model, *where):
    with engine.connect() as conn:
        return conn.execute(select(model).where(*where)).all()


def contact_of(engine, email: str):
    (row,) = rows(engine, Contact, Contact.source_url == f"https://{email.split('@')[1]}/team")
    return row


def lead_result(engine, campaign: str) -> dict:
    (row,) = rows(engine, LeadRow, LeadRow.campaign_id == campaign)
    return row.result


@pytest.fixture
def world(repo, engine, workspace):
    """old+done (erased), old+live campaign (kept), old with a queued step (kept), new (kept)."""
    done = run_campaign(repo, engine, workspace, "done", lead("freight.example", "Jo"),
                        status="completed", age=OLD)
    live = run_campaign(repo, engine, workspace, "live", lead("haul.example", "Kim"),
                        status="paused", age=OLD)
    queued = run_campaign(repo, engine, workspace, "queued", lead("cargo.example", "Lee"),
                          status="completed", age=OLD, send="queued")
    fresh = run_campaign(repo, engine, workspace, "fresh", lead("ship.example", "Max"),
                         status="completed", age=RECENT)
    repo.suppress(workspace, "jo@freight.example", "unsubscribe")
    repo.suppress(workspace, "max@ship.example", "unsubscribe")
    with engine.begin() as conn:
        conn.execute(update(Suppression).where(Suppression.email == "jo@freight.example").values(created_at=OLD))
    return {"done": done, "live": live, "queued": queued, "fresh": fresh}


def test_old_finished_leads_lose_personal_data(repo, engine, sessions, workspace, world):
    report = purge_personal_data(sessions, cutoff_for(NOW, 30))
    done = world["done"]

    jo = contact_of(engine, "jo@freight.example")
    assert (jo.name, jo.title, jo.email) == (None, None, None)
    drafts = rows(engine, DraftRow, DraftRow.workspace_id == workspace,
                  DraftRow.lead_id.in_(select(LeadRow.id).where(LeadRow.campaign_id == done)))
    assert [(d.subject, d.body) for d in drafts] == [("", ""), ("", "")]
    assert {d.prompt_version for d in drafts} == {None}
    (approved,) = rows(engine, ApprovalItem, ApprovalItem.campaign_id == done, ApprovalItem.status == "approved")
    assert (approved.approved_subject, approved.approved_body) == (None, None) and approved.approved_hash
    (sent,) = rows(engine, OutboxMessage, OutboxMessage.campaign_id == done)
    assert (sent.to_email, sent.subject, sent.body, sent.status) == ("", "", "", "sent")
    (event,) = rows(engine, Event, Event.campaign_id == done)
    assert event.payload is None
    audits = rows(engine, AuditEntry, AuditEntry.object_id == approved.id)
    assert audits and all("Jo" not in str(a.before) + str(a.after) for a in audits)

    result = lead_result(engine, done)
    assert result["contacts"][0] | {"source_url": None} == {
        **result["contacts"][0], "name": None, "title": None, "email": None, "source_url": None}
    assert all(d["body"] == d["subject"] == "" and d["to_email"] is None for d in result["drafts"])
    assert result["qualification"]["score"] == 77  # the lead itself stays for reporting
    assert "Jo" not in str(result)

    # the address stays suppressed by its hash, but the plain address is gone
    (suppressed,) = rows(engine, Suppression, Suppression.email_hash == email_hash("jo@freight.example"))
    assert suppressed.email is None
    assert repo.is_suppressed(workspace, "jo@freight.example")

    assert report.as_dict() == {
        "leads": 1, "contacts": 1, "drafts": 2, "approvals": 1, "outbox_messages": 1,
        "events": 1, "audit_entries": 2, "suppressions": 1,
    }


def test_live_queued_and_recent_leads_are_kept(engine, sessions, world):
    purge_personal_data(sessions, cutoff_for(NOW, 30))
    for email, campaign in (("kim@haul.example", "live"), ("lee@cargo.example", "queued"),
                            ("max@ship.example", "fresh")):
        contact = contact_of(engine, email)
        assert contact.email == email and contact.name
        assert email in str(lead_result(engine, world[campaign]))
        drafts = rows(engine, DraftRow, DraftRow.lead_id.in_(
            select(LeadRow.id).where(LeadRow.campaign_id == world[campaign])))
        assert all(d.body for d in drafts)
        for message in rows(engine, OutboxMessage, OutboxMessage.campaign_id == world[campaign]):
            assert message.to_email == email and message.body
    (recent,) = rows(engine, Suppression, Suppression.email_hash == email_hash("max@ship.example"))
    assert recent.email == "max@ship.example"


def test_a_contact_a_newer_lead_still_needs_is_kept(repo, engine, sessions, workspace):
    old = run_campaign(repo, engine, workspace, "spring", lead("freight.example", "Jo"),
                       status="completed", age=OLD)
    run_campaign(repo, engine, workspace, "summer", lead("freight.example", "Jo"),
                 status="completed", age=RECENT, send=None)
    report = purge_personal_data(sessions, cutoff_for(NOW, 30))
    assert report.contacts == 0
    assert contact_of(engine, "jo@freight.example").email == "jo@freight.example"
    # the old campaign's own copies are still erased
    assert "jo@freight.example" not in str(lead_result(engine, old))
    (sent,) = rows(engine, OutboxMessage, OutboxMessage.campaign_id == old)
    assert sent.to_email == ""


def test_dry_run_counts_without_changing_and_a_second_run_finds_nothing(engine, sessions, world):
    dry = purge_personal_data(sessions, cutoff_for(NOW, 30), dry_run=True)
    assert contact_of(engine, "jo@freight.example").email == "jo@freight.example"
    assert "Jo" in str(lead_result(engine, world["done"]))
    real = purge_personal_data(sessions, cutoff_for(NOW, 30))
    assert dry == real and real.leads == 1
    again = purge_personal_data(sessions, cutoff_for(NOW, 30))
    assert again.as_dict() == dict.fromkeys(again.as_dict(), 0)


def _files(settings):
    cache = PageCache.for_data_dir(settings.data_dir, clock=lambda: OLD.timestamp())
    for url in ("https://freight.example/", "https://freight.example/copy"):
        cache.put_sync(Page(url=url, final_url=url, status=200, html="<p>same body</p>"))
    cache.put_sync(Page(url="https://freight.example/team", final_url="https://freight.example/team",
                        status=200, html="<p>old team page</p>"))
    cache._clock = lambda: RECENT.timestamp()
    cache.put_sync(Page(url="https://ship.example/", final_url="https://ship.example/", status=200,
                        html="<p>same body</p>"))  # shares its blob with the old pages
    store = LocalObjectStore(settings.data_dir / "objects")
    for key, when in (("snapshots/freight.example/a.html", OLD), ("snapshots/ship.example/b.html", RECENT),
                      ("exports/c1/results.csv", OLD), ("exports/c2/results.csv", RECENT),
                      ("reports/2025-q1.json", OLD)):
        store.put(key, b"x")
        os.utime(store.root / key, (when.timestamp(), when.timestamp()))
    return PageCache.for_data_dir(settings.data_dir), store


def test_purge_applies_both_windows_to_files_and_database(settings, sessions, engine, world):
    cache, store = _files(settings)
    configured = settings.model_copy(update={"retention_days_snapshots": 30, "retention_days_personal": 60})

    dry = purge(configured, sessions, NOW, dry_run=True)
    assert (dry.cached_pages, dry.snapshots, dry.exports) == (
        3, ["snapshots/freight.example/a.html"], ["exports/c1/results.csv"])
    assert cache.get_sync("https://freight.example/team") is not None
    assert len(list(store.list())) == 5

    report = purge(configured, sessions, NOW)
    assert report.as_dict() | {"personal": None} == {
        "dry_run": False, "snapshots_cutoff": (NOW - timedelta(days=30)).isoformat(),
        "personal_cutoff": (NOW - timedelta(days=60)).isoformat(), "cached_pages": 3, "snapshots": 1,
        "exports": 1, "personal": None,
    }
    assert report.personal is not None and report.personal.leads == 1
    for url in ("https://freight.example/", "https://freight.example/copy", "https://freight.example/team"):
        assert cache.get_sync(url) is None
    page, _ = cache.get_sync("https://ship.example/")
    assert page.html == "<p>same body</p>"  # its blob was shared with purged pages and survives
    blobs = list((cache.root / "blobs").glob("*/*"))
    assert len(blobs) == 1  # the old team page's body is gone
    assert [info.key for info in store.list()] == [
        "exports/c2/results.csv", "reports/2025-q1.json", "snapshots/ship.example/b.html"]
    assert contact_of(engine, "jo@freight.example").email is None


def test_zero_days_keeps_everything(settings, sessions, engine, world):
    cache, store = _files(settings)
    configured = settings.model_copy(update={"retention_days_snapshots": 0, "retention_days_personal": 0})
    report = purge(configured, sessions, NOW)
    assert (report.snapshots_cutoff, report.personal_cutoff, report.personal) == (None, None, None)
    assert cache.get_sync("https://freight.example/team") is not None
    assert len(list(store.list())) == 5
    assert contact_of(engine, "jo@freight.example").email == "jo@freight.example"
