"""apply_events against a migrated SQLite database: events recorded once, suppression, stopped
sequences, blocked providers reported."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db.tables import Event, Suppression
from tests.fixtures.mail.outbox_db import seed_outbox
from tools.tracking.apply import apply_events
from tools.tracking.sendgrid_events import parse_events

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "sendgrid"
BY_TYPE = json.loads((DATA / "sample_events_by_type.json").read_text())["events"]
JO, SAM = "jo@acme.example", "sam@beta.example"


@pytest.fixture
def db(tmp_path):
    return seed_outbox(str(tmp_path / "t.db"), [JO, SAM])


def sample(name: str, email: str, *, event_id: str | None = None, **extra) -> dict:
    raw = copy.deepcopy(BY_TYPE[name]["payload"][0])
    raw.update(email=email, **extra)
    if event_id:
        raw["sg_event_id"] = event_id
    return raw


def count(db, model, *where) -> int:
    with db.repo._sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def statuses(db, email: str) -> dict[int, str]:
    return {step: row.status for step, row in db.outbox(email).items()}


def test_delivered_open_click_are_recorded_only_and_linked_to_the_outbox_row(db):
    ref = db.message_id(JO)
    events = parse_events([sample(k, JO, leadgen_message_id=ref) for k in ("delivered", "open", "click")])
    summary = apply_events(db.repo, db.workspace_id, events)
    assert (summary.recorded, summary.duplicates, summary.unmatched) == (3, 0, 0)
    assert summary.by_kind == {"delivered": 1, "open": 1, "click": 1}
    assert statuses(db, JO) == {1: "sent", 2: "queued", 3: "queued"}
    stored = db.repo.events(db.workspace_id, campaign_id=db.campaign_id)
    assert {e.kind for e in stored} == {"delivered", "open", "click"}
    assert {e.outbox_message_id for e in stored} == {db.rows[JO][1].id}
    assert count(db, Suppression) == 0


def test_duplicate_sg_event_id_is_counted_once(db):
    events = parse_events([sample("open", JO), sample("open", JO)])
    first = apply_events(db.repo, db.workspace_id, events)
    assert (first.recorded, first.duplicates) == (1, 1)
    again = apply_events(db.repo, db.workspace_id, parse_events([sample("open", JO)]))
    assert (again.recorded, again.duplicates) == (0, 1)
    assert count(db, Event, Event.provider_event_id == BY_TYPE["open"]["payload"][0]["sg_event_id"]) == 1


def test_hard_bounce_suppresses_globally_and_stops_the_sequence(db):
    ref = db.message_id(JO)
    summary = apply_events(db.repo, db.workspace_id,
                           parse_events([sample("bounce", JO, leadgen_message_id=ref)]))
    assert summary.suppressed == [JO]
    assert summary.stopped == 2
    assert statuses(db, JO) == {1: "sent", 2: "cancelled", 3: "cancelled"}
    assert statuses(db, SAM) == {1: "sent", 2: "queued", 3: "queued"}
    assert db.repo.is_suppressed("any-other-workspace", JO)
    assert count(db, Suppression, Suppression.reason == "hard_bounce",
                 Suppression.workspace_id.is_(None)) == 1


def test_spamreport_is_a_global_complaint(db):
    summary = apply_events(db.repo, db.workspace_id, parse_events([sample("spamreport", SAM)]))
    assert summary.suppressed == [SAM] and summary.stopped == 2
    assert count(db, Suppression, Suppression.reason == "complaint",
                 Suppression.workspace_id.is_(None)) == 1


@pytest.mark.parametrize("kind", ["unsubscribe", "group_unsubscribe"])
def test_unsubscribe_suppresses_in_the_workspace_only(db, kind):
    summary = apply_events(db.repo, db.workspace_id, parse_events([sample(kind, JO)]))
    assert summary.suppressed == [JO]
    assert statuses(db, JO) == {1: "sent", 2: "cancelled", 3: "cancelled"}
    assert db.repo.is_suppressed(db.workspace_id, JO)
    assert not db.repo.is_suppressed("another-workspace", JO)


def test_blocked_is_reported_not_suppressed(db):
    summary = apply_events(db.repo, db.workspace_id, parse_events([sample("blocked", JO)]))
    assert summary.blocked == [JO]
    assert summary.suppressed == [] and summary.stopped == 0
    assert statuses(db, JO) == {1: "sent", 2: "queued", 3: "queued"}
    assert db.repo.events(db.workspace_id, kind="blocked")


def test_soft_bounce_and_deferred_change_nothing(db):
    soft = sample("bounce", JO, event_id="soft-1", status="4.2.2", reason="452 mailbox full")
    summary = apply_events(db.repo, db.workspace_id, parse_events([soft, sample("deferred", JO)]))
    assert summary.recorded == 2 and summary.suppressed == [] and summary.stopped == 0


def test_dropped_reason_decides_the_suppression(db):
    dropped = [sample("dropped", JO, event_id="d1"),
               sample("dropped", SAM, event_id="d2", reason="Unsubscribed Address")]
    summary = apply_events(db.repo, db.workspace_id, parse_events(dropped))
    assert summary.suppressed == [JO, SAM]
    assert count(db, Suppression, Suppression.reason == "hard_bounce") == 1
    assert count(db, Suppression, Suppression.reason == "unsubscribe",
                 Suppression.workspace_id == db.workspace_id) == 1


def test_refs_resolve_by_message_id_idempotency_key_and_sendgrid_id(db):
    jo = db.rows[JO][1]
    sg_id = f"{jo.provider_message_id}.filter0001.16648.5515E0B88.0"
    events = parse_events([
        sample("open", JO, event_id="e1", leadgen_message_id=jo.message_id.strip("<>")),
        sample("open", JO, event_id="e2", idempotency_key=jo.idempotency_key),
        sample("open", JO, event_id="e3", sg_message_id=sg_id),
        sample("open", JO, event_id="e4", sg_message_id="unknown.filter"),
    ])
    summary = apply_events(db.repo, db.workspace_id, events)
    assert summary.unmatched == 1
    linked = {e.provider_event_id: e.outbox_message_id for e in db.repo.events(db.workspace_id)}
    assert linked == {"e1": jo.id, "e2": jo.id, "e3": jo.id, "e4": None}


def test_a_retried_bounce_acts_once(db):
    batch = parse_events([sample("bounce", JO)])
    apply_events(db.repo, db.workspace_id, batch)
    retry = apply_events(db.repo, db.workspace_id, batch)
    assert (retry.recorded, retry.suppressed, retry.stopped) == (0, [], 0)


def test_session_factory_is_accepted(db):
    summary = apply_events(db.repo._sessions, db.workspace_id, parse_events([sample("processed", JO)]))
    assert summary.recorded == 1
