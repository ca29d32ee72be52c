"""The webhook routes on a migrated SQLite database, a real SMTP sink and real Chroma memory:
routing a global event batch to each workspace, guardrail pauses, blocked mailboxes, outcomes,
Inbound Parse authentication, out-of-office pauses, unmatched and replayed messages."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from agents import sequencer
from api.app import create_app
from core.db.engine import make_engine, session_factory
from core.db.repository import Repository
from memory.store import OutcomeMemory
from tests.e2e.test_sending_flow_fixtures import *  # noqa: F403 - fixtures
from tests.e2e.test_sending_flow_fixtures import (
    INBOUND_TOKEN,
    POLICY,
    PROSPECTS,
    SENDER,
    event_body,
    seed,
    sendgrid_event,
)

CLYDE, FORTH = PROSPECTS[0].email, PROSPECTS[1].email


def _sent(flow) -> datetime:
    flow.approve_all()
    now = datetime.now(UTC)
    flow.queue(1, 2, now=now)
    assert len(flow.send_due(now).sent) == 2
    return now


def _memory(flow) -> OutcomeMemory:
    return flow.app.state.outcome_memory.get(flow.settings)


def test_webhooks_are_off_until_configured(sending_flow):
    settings = sending_flow.settings.model_copy(update={"sendgrid_webhook_public_key": None,
                                                        "inbound_webhook_token": None})
    with TestClient(create_app(settings)) as client:
        body = event_body([])
        events = client.post("/api/v1/webhooks/sendgrid/events", content=body,
                             headers=sending_flow.signer.headers(body))
        inbound = client.post(f"/api/v1/webhooks/sendgrid/inbound/{INBOUND_TOKEN}", data={"text": "hi"})
    assert events.status_code == 404 and inbound.status_code == 404
    assert "LEADGEN_SENDGRID_WEBHOOK_PUBLIC_KEY" in events.json()["detail"]


def test_one_batch_is_routed_to_each_workspace_and_unknown_messages_are_ignored(sending_flow):
    flow = sending_flow
    _sent(flow)
    sessions = session_factory(make_engine(flow.settings.resolved_database_url))
    other_ws, other_campaign, _, _ = seed(Repository(sessions), sessions, "other")
    for item in flow.repo.approval_items(other_campaign, limit=100):
        if item.draft.step == 1:
            flow.repo.decide(item.id, "approve", "rev@other.example")
    ids = [i.id for i in flow.repo.approval_items(other_campaign, status="approved", limit=100)]
    asyncio.run(sequencer.queue_approved(flow.repo, ids, now=datetime.now(UTC), policy=POLICY))
    assert len(flow.send_due().sent) == 2
    other_row = next(r for r in flow.repo.outbox_for_campaign(other_campaign) if r.to_email == CLYDE)
    stranger = {"email": "who@nowhere.example", "event": "delivered", "timestamp": 1700000000,
                "sg_event_id": "evt-stranger", "sg_message_id": "unknown.filter"}

    answer = flow.post_events([sendgrid_event("delivered", flow.outbox(CLYDE, 1)),
                               sendgrid_event("open", other_row), stranger])
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert (summary["received"], summary["recorded"], summary["unmatched"]) == (3, 2, 1)
    [mine] = flow.repo.events(flow.workspace_id, kind="delivered")
    assert mine.outbox_message_id == flow.outbox(CLYDE, 1).id
    [theirs] = flow.repo.events(other_ws, kind="open")
    assert theirs.outbox_message_id == other_row.id and theirs.campaign_id == other_campaign
    assert flow.repo.events(flow.workspace_id, kind="open") == []


def test_a_complaint_pauses_the_campaign_suppresses_and_becomes_an_outcome(sending_flow):
    flow = sending_flow
    _sent(flow)
    answer = flow.post_events([sendgrid_event("spamreport", flow.outbox(CLYDE, 1))])
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["paused_campaigns"] == [flow.campaign_id]
    assert (summary["suppressed"], summary["stopped"], summary["outcomes"]) == ([CLYDE], 1, 1)
    assert flow.repo.get_campaign(flow.campaign_id).status == "paused"
    assert [e.kind for e in flow.repo.events(flow.workspace_id, kind="alert")] == ["alert"]
    kinds = {(p.domain, p.kind) for p in _memory(flow).nearest("Clyde Warehousing warehousing", 5)}
    assert ("clyde.example", "complained") in kinds
    # The paused campaign sends nothing more, not even to contacts who did not complain.
    assert flow.send_due(datetime.now(UTC) + timedelta(days=30)).sent == []


def test_a_provider_block_pauses_the_sending_mailbox(sending_flow):
    flow = sending_flow
    _sent(flow)
    blocked = sendgrid_event("bounce", flow.outbox(FORTH, 1), type="blocked", status="5.7.1",
                             reason="554 5.7.1 Service unavailable; client host blocked")
    summary = flow.post_events([blocked]).json()
    assert summary["blocked"] == [FORTH] and summary["paused_mailboxes"] == [SENDER.email]
    assert summary["suppressed"] == []  # a reputation refusal says nothing about the address
    assert flow.repo.mailbox_state(SENDER.email).paused_at is not None


def test_a_signed_batch_that_is_not_json_is_rejected_as_invalid(sending_flow):
    body = b"not json"
    answer = sending_flow.client.post("/api/v1/webhooks/sendgrid/events", content=body,
                                      headers=sending_flow.signer.headers(body))
    assert answer.status_code == 422


def _basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"sendgrid:{password}".encode()).decode()}


def test_inbound_parse_needs_the_token_in_the_path_or_as_basic_auth_password(sending_flow):
    flow = sending_flow
    form = {"from": "who@nowhere.example", "subject": "hello", "text": "Hello there"}
    assert flow.post_reply(form, token="wrong").status_code == 401
    assert flow.client.post("/api/v1/webhooks/sendgrid/inbound", data=form).status_code == 401
    assert flow.client.post("/api/v1/webhooks/sendgrid/inbound", data=form,
                            headers=_basic("wrong")).status_code == 401
    accepted = flow.client.post("/api/v1/webhooks/sendgrid/inbound", data=form, headers=_basic(INBOUND_TOKEN))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["matched"] is False  # nobody here ever mailed that address
    assert flow.post_reply(form).json() == accepted.json()


def test_out_of_office_postpones_the_next_step_and_a_replay_changes_nothing(sending_flow):
    flow = sending_flow
    _sent(flow)
    first, second = flow.outbox(FORTH, 1), flow.outbox(FORTH, 2)
    back = (datetime.now(UTC) + timedelta(days=40)).date()
    form = {"headers": f"Message-ID: <ooo-1@forth.example>\nIn-Reply-To: {first.message_id}\n"
                       "Auto-Submitted: auto-replied\n",
            "from": f"Ben Forth <{FORTH}>", "subject": f"Automatic reply: {first.subject}",
            "text": f"I am out of the office until {back:%d %B %Y} with limited access to e-mail."}
    answer = flow.post_reply(form)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kind"], answer.json()["postponed"], answer.json()["outcome"]) == ("out_of_office", 1, None)
    moved = flow.outbox(FORTH, 2)
    assert moved.status == "queued" and moved.due_at.date() > back > second.due_at.date()

    replay = flow.post_reply(form)
    assert replay.json()["recorded"] is False and replay.json()["postponed"] == 0
    assert flow.outbox(FORTH, 2).due_at == moved.due_at
