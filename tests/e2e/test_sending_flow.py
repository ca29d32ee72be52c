"""Issue 6 "Done when", through the API with a real SMTP sink: a campaign approved through the API
goes out with every header right; a reply stops the contact's sequence; a one-click unsubscribe
holds in the same minute; a suppressed address is never mailed; signed SendGrid events suppress and
stop; a positive reply becomes an outcome that changes a later qualification (the learning loop)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from agents.qualifier import qualify
from core.models import ICP, Company
from memory.store import OutcomeMemory
from tests.e2e.test_sending_flow_fixtures import *  # noqa: F403 - fixtures
from tests.e2e.test_sending_flow_fixtures import BRIEF, POLICY, PROSPECTS, SENDER, sendgrid_event

CLYDE, FORTH = PROSPECTS[0].email, PROSPECTS[1].email
LATER = timedelta(days=30)  # far past any step delay: every queued step is due
# A later campaign that wants a hiring signal: similar companies score below 100 without memory.
LATER_BRIEF = BRIEF.model_copy(update={"name": "Hiring warehouses",
                                       "icp": ICP(industries=["warehousing"], signals=["hiring"])})


def _start(flow) -> datetime:
    """Approve every draft through the API, queue both steps, run send-due: the first touches go."""
    flow.approve_all()
    now = datetime.now(UTC)
    assert flow.queue(1, 2, now=now) == 4
    report = flow.send_due(now)
    assert len(report.sent) == 2, report
    return now


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_approved_campaign_arrives_at_the_smtp_sink_with_every_header(sending_flow):
    flow = sending_flow
    _start(flow)
    assert {rcpt for rcpts, _ in flow.sink.received for rcpt in rcpts} == {CLYDE, FORTH}
    for prospect in PROSPECTS:
        [message] = flow.sink.messages(prospect.email)
        row = flow.outbox(prospect.email, 1)
        assert row.status == "sent"
        assert message["From"].addresses[0].addr_spec == SENDER.email
        assert message["From"].addresses[0].display_name == SENDER.name
        assert str(message["Reply-To"]) == SENDER.email
        assert message["Message-ID"] == row.message_id
        unsubscribe = str(message["List-Unsubscribe"])
        links = re.findall(r"<([^>]+)>", unsubscribe)
        assert any(link.startswith("https://leadgen.example/u/") for link in links), unsubscribe
        assert any(link.startswith(f"mailto:{SENDER.email}") for link in links), unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text, html = _parts(message)
        for body in (text, html):
            assert SENDER.postal_address in body
            assert "unsubscribe" in body.lower()
        assert "Shiftly plans shifts" in text and "Shiftly plans shifts" in html


def test_a_reply_stops_that_contacts_sequence_and_step_two_never_goes(sending_flow):
    flow = sending_flow
    now = _start(flow)
    first = flow.outbox(CLYDE, 1)
    headers = (f"From: Ana Clyde <{CLYDE}>\nTo: {SENDER.email}\nSubject: Re: {first.subject}\n"
               f"Message-ID: <reply-1@mail.clyde.example>\nIn-Reply-To: {first.message_id}\n"
               f"References: {first.message_id}\n")
    answer = flow.post_reply({"headers": headers, "from": f"Ana Clyde <{CLYDE}>", "to": SENDER.email,
                              "subject": f"Re: {first.subject}",
                              "text": "Thanks Dana, we are not interested at the moment.\n\n> Hi Ana"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "negative" and answer.json()["matched"] is True
    assert answer.json()["cancelled"] == 1
    assert flow.outbox(CLYDE, 2).status == "cancelled"

    report = flow.send_due(now + LATER)  # step 2 is long due
    assert [flow.repo.get_outbox(i).to_email for i in report.sent] == [FORTH]
    assert len(flow.sink.messages(CLYDE)) == 1
    assert len(flow.sink.messages(FORTH)) == 2
    assert flow.outbox(CLYDE, 2).status == "cancelled"


def test_one_click_unsubscribe_holds_for_the_send_due_run_in_the_same_minute(sending_flow):
    flow = sending_flow
    flow.approve_all()
    now = datetime.now(UTC)
    flow.queue(1, now=now)
    assert len(flow.send_due(now).sent) == 2
    [message] = flow.sink.messages(CLYDE)
    url = re.search(r"<(https://[^>]+)>", str(message["List-Unsubscribe"])).group(1)
    # RFC 8058: what a mail client POSTs to the https URL of List-Unsubscribe.
    answer = flow.client.post(url, content=b"List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text

    # The follow-ups become due in this very minute: no step delay.
    flow.queue(2, now=now, pol=_no_delay())
    report = flow.send_due(now)
    assert [flow.repo.get_outbox(i).to_email for i in report.sent] == [FORTH]
    assert len(flow.sink.messages(CLYDE)) == 1
    assert flow.outbox(CLYDE, 2).status == "cancelled"


def _no_delay():
    return replace(POLICY, step_delay_business_days=0)


def test_a_suppressed_address_is_never_sent_to_even_when_already_queued(sending_flow):
    flow = sending_flow
    flow.approve_all()
    now = datetime.now(UTC)
    flow.queue(1, 2, now=now)
    assert flow.outbox(CLYDE, 1).status == "queued"
    flow.repo.suppress(flow.workspace_id, CLYDE, "manual")

    first = flow.send_due(now)
    later = flow.send_due(now + LATER)
    sent_to = [flow.repo.get_outbox(i).to_email for i in first.sent + later.sent]
    assert sent_to == [FORTH, FORTH]
    assert flow.sink.messages(CLYDE) == []
    assert {flow.outbox(CLYDE, 1).status, flow.outbox(CLYDE, 2).status} == {"cancelled"}


def test_signed_bounce_suppresses_and_stops_bad_signature_is_401_replay_is_deduplicated(sending_flow):
    flow = sending_flow
    now = _start(flow)
    clyde, forth = flow.outbox(CLYDE, 1), flow.outbox(FORTH, 1)
    batch = [sendgrid_event("delivered", forth),
             sendgrid_event("bounce", clyde, type="bounce", status="5.1.1",
                            reason="550 5.1.1 The email account that you tried to reach does not exist")]

    accepted = flow.post_events(batch)
    assert accepted.status_code == 200, accepted.text
    summary = accepted.json()
    assert (summary["received"], summary["recorded"], summary["duplicates"]) == (2, 2, 0)
    assert summary["suppressed"] == [CLYDE] and summary["stopped"] == 1
    assert flow.repo.is_suppressed(flow.workspace_id, CLYDE)
    assert flow.repo.is_suppressed(flow.repo.ensure_workspace("another-team"), CLYDE)  # hard bounce: global
    assert flow.outbox(CLYDE, 2).status == "cancelled"

    replay = flow.post_events(batch)  # SendGrid retries a batch it thinks failed: newly signed
    assert replay.status_code == 200
    assert (replay.json()["recorded"], replay.json()["duplicates"]) == (0, 2)

    forged = flow.client.post("/api/v1/webhooks/sendgrid/events", content=b'[{"email":"x@y.example"}]',
                              headers=flow.signer.headers(b"[]"))
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")
    assert forged.json()["title"] == "Webhook signature invalid"
    unsigned = flow.client.post("/api/v1/webhooks/sendgrid/events", content=b"[]")
    assert unsigned.status_code == 401
    stale = flow.post_events(batch, timestamp=int(now.timestamp()) - 3600)
    assert stale.status_code == 401

    report = flow.send_due(now + LATER)
    assert [flow.repo.get_outbox(i).to_email for i in report.sent] == [FORTH]
    assert len(flow.sink.messages(CLYDE)) == 1


def test_positive_reply_becomes_an_outcome_that_changes_a_later_qualification(sending_flow):
    flow = sending_flow
    _start(flow)
    memory: OutcomeMemory = flow.app.state.outcome_memory.get(flow.settings)
    similar = Company(name="Tyne Warehousing", domain="tyne.example", industry="warehousing", team_size=140,
                      country="United Kingdom",
                      description="Contract warehousing and order fulfilment for online retailers.")
    unrelated = Company(name="Sunrise Bakery", domain="sunrise.example", industry="bakery", team_size=14,
                        country="United Kingdom", description="Artisan sourdough bakery and cafe.")

    def qualification(company: Company):
        prior = memory.nearest(OutcomeMemory.profile_text(company), 5, exclude_domain=company.domain)
        return asyncio.run(qualify(company, LATER_BRIEF, prior=prior))

    before, unrelated_before = qualification(similar), qualification(unrelated)
    first = flow.outbox(CLYDE, 1)
    answer = flow.post_reply({
        "headers": f"Message-ID: <reply-2@mail.clyde.example>\nIn-Reply-To: {first.message_id}\n",
        "from": f"Ana Clyde <{CLYDE}>", "to": SENDER.email, "subject": f"Re: {first.subject}",
        "text": "Sounds interesting - can we talk on Thursday at 10:00?\n\nOn Mon, Dana wrote:\n> Hi Ana",
    })
    assert answer.status_code == 200, answer.text
    assert (answer.json()["kind"], answer.json()["outcome"]) == ("positive", "replied_positive")

    [found] = [p for p in memory.nearest(OutcomeMemory.profile_text(similar), 5) if p.domain == "clyde.example"]
    assert found.kind == "replied_positive" and found.campaign_id == flow.campaign_id
    assert (found.angle, found.prompt_version, found.score) == ("product", "copywriter/first_touch@v1", 82)

    after = qualification(similar)
    assert after.score > before.score
    assert any("clyde.example: replied_positive" in reason for reason in after.reasons)
    assert qualification(unrelated).score == unrelated_before.score  # not similar: no nudge
