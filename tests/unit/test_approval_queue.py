"""The review queue at scale: keyset cursors walk the queue in order without gaps or repeats, and
a bulk decision changes many items in one transaction with one audit row per item. Runs on SQLite;
tests/integration/test_approval_queue_pg.py runs the same tests on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from core.db.approval_store import QueueCursor
from core.db.digests import content_hash
from core.db.tables import ApprovalItem, AuditEntry
from core.errors import Conflict, InvalidInput, NotFound
from tests.unit.test_repository import (  # noqa: F401
    brief,
    campaign,
    count,
    db_url,
    engine,
    make_lead,
    repo,
    workspace,
)


@pytest.fixture
def queue(repo, engine, campaign) -> list[str]:  # noqa: F811
    """Nine leads x 2 steps with tied scores, and two items whose score is unknown (NULL)."""
    for i, score in enumerate([70, 90, 70, 50, 90, 70, 10, 90, 50]):
        repo.save_lead(campaign, make_lead(f"https://lead{i}.example/", score=score,
                                           domain=f"lead{i}.example", index=i))
    ids = [item.id for item in repo.approval_items(campaign, limit=1000)]
    with engine.begin() as conn:
        conn.execute(update(ApprovalItem).where(ApprovalItem.id.in_(ids[:2])).values(score=None))
    return ids


def _walk(repo, campaign, limit: int, status: str | None = "pending") -> list:  # noqa: F811
    seen, after = [], None
    while True:
        page = repo.approval_items(campaign, status=status, limit=limit, after=after)
        seen += page
        if len(page) < limit:
            return seen
        after = QueueCursor.of(page[-1])


@pytest.mark.parametrize("limit", [1, 4, 18])
def test_cursor_pages_walk_the_whole_queue_in_order(repo, campaign, queue, limit):  # noqa: F811
    walked = _walk(repo, campaign, limit)
    by_offset = repo.approval_items(campaign, limit=1000)
    assert [i.id for i in walked] == [i.id for i in by_offset]
    assert len(walked) == len(set(i.id for i in walked)) == 18
    keys = [(i.score is None, -(i.score or 0), i.created_at, i.id) for i in walked]
    assert keys == sorted(keys)  # best score first, unscored last, then oldest first
    assert walked[-1].score is None and walked[-2].score is None


def test_offset_counts_from_the_cursor(repo, campaign, queue):  # noqa: F811
    everything = repo.approval_items(campaign, limit=1000)
    after = QueueCursor.of(everything[4])
    page = repo.approval_items(campaign, limit=3, offset=2, after=after)
    assert [i.id for i in page] == [i.id for i in everything[7:10]]


def test_cursor_skips_nothing_when_items_are_decided_meanwhile(repo, campaign, queue):  # noqa: F811
    first = repo.approval_items(campaign, limit=5)
    repo.decide(first[1].id, "approve", "rev@acme.example")
    rest = repo.approval_items(campaign, limit=1000, after=QueueCursor.of(first[-1]))
    everything = repo.approval_items(campaign, status=None, limit=1000)
    assert [i.id for i in rest] == [i.id for i in everything[5:]]


def test_cursor_encoding_round_trips_and_refuses_garbage():
    cursor = QueueCursor(None, datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "abc")
    assert QueueCursor.decode(cursor.encode()) == cursor
    scored = QueueCursor(87, cursor.created_at, "x-y")
    assert QueueCursor.decode(scored.encode()) == scored
    for bad in ("", "not base64 !", "WzEsMl0", QueueCursor(1, cursor.created_at, "a").encode()[:-3]):
        with pytest.raises(InvalidInput):
            QueueCursor.decode(bad)


def test_bulk_decision_changes_items_and_audits_each_one(repo, engine, workspace, campaign, queue):  # noqa: F811
    items = repo.approval_items(campaign, limit=1000)
    already_approved = repo.decide(items[3].id, "approve", "rev@acme.example")
    already_rejected = repo.decide(items[4].id, "reject", "rev@acme.example")
    stranger = repo.create_campaign(brief("other"), ["https://x.example/"],
                                    workspace_id=repo.ensure_workspace("strangers"))
    repo.save_lead(stranger, make_lead("https://x.example/", domain="x.example"))
    foreign = repo.approval_items(stranger)[0].id
    wanted = [items[0].id, items[1].id, items[0].id, already_approved.id, already_rejected.id,
              "no-such-item", foreign, items[2].id]

    outcome = repo.decide_many(wanted, "approve", "boss@acme.example", workspace_id=workspace)

    assert [d.id for d in outcome.decided] == [items[0].id, items[1].id, already_approved.id, items[2].id]
    assert [d.changed for d in outcome.decided] == [True, True, False, True]
    assert {d.campaign_id for d in outcome.decided} == {campaign}
    assert all(d.fit is True for d in outcome.decided)
    failures = {approval_id: type(exc) for approval_id, exc in outcome.failed}
    assert failures == {already_rejected.id: Conflict, "no-such-item": NotFound, foreign: NotFound}
    for item in (items[0], items[1], items[2]):
        after = repo.get_approval(item.id)
        assert after.status == "approved" and after.decided_by == "boss@acme.example"
        assert after.approved_subject == item.draft.subject
        assert after.approved_hash == content_hash(item.draft.subject, item.draft.body)
        log = repo.audit_log(object_id=item.id)
        assert [e.action for e in log] == ["approval.approve"]
        assert log[0].before["status"] == "pending" and log[0].after["status"] == "approved"
        assert log[0].after["approved_hash"] == after.approved_hash
    assert count(engine, AuditEntry, AuditEntry.object_id == already_approved.id) == 1
    assert repo.get_approval(foreign).status == "pending"


def test_bulk_reject_keeps_no_approved_content(repo, workspace, campaign, queue):  # noqa: F811
    ids = [i.id for i in repo.approval_items(campaign, limit=3)]
    outcome = repo.decide_many(ids, "reject", "boss@acme.example", workspace_id=workspace)
    assert [d.id for d in outcome.decided] == ids and outcome.failed == []
    for approval_id in ids:
        view = repo.get_approval(approval_id)
        assert view.status == "rejected" and view.approved_hash is None
    with pytest.raises(InvalidInput):
        repo.decide_many(ids, "edit", "boss@acme.example")  # type: ignore[arg-type]
