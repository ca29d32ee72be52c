"""Inbound replies: DSN parsing, out-of-office with and without a return date, quote stripping,
threading, and apply_reply against a migrated SQLite outbox."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from core.db.tables import OutboxMessage
from tests.fixtures.mail.outbox_db import SENT_AT, seed_outbox
from tools.tracking.classify import new_text
from tools.tracking.dsn import parse_dsn
from tools.tracking.inbound import parse_inbound
from tools.tracking.replies import (
    add_business_days,
    apply_reply,
    classify_message,
    normalized_subject,
    read_reply,
)
from tools.tracking.return_dates import return_date

INBOUND = Path(__file__).resolve().parents[1] / "fixtures" / "mail" / "inbound"
JO, SAM, CAMILLE = "jo@acme.example", "sam@beta.example", "camille@gamma.example"
IDS = {JO: "<5f0c1e2a9b8d4c7e@pipewise.io>", SAM: "<8a7b6c5d4e3f2a1b@pipewise.io>"}
NOW = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


def eml(name: str) -> bytes:
    return (INBOUND / name).read_bytes()


def form(name: str) -> dict[str, str]:
    return json.loads((INBOUND / name).read_text())


@pytest.fixture
def db(tmp_path):
    return seed_outbox(str(tmp_path / "r.db"), [JO, SAM, CAMILLE], message_ids=IDS)


def statuses(db, email):
    return {step: row.status for step, row in db.outbox(email).items()}


# --- parsing and classification --------------------------------------------------------

def test_dsn_hard_bounce_fields():
    [failure] = parse_dsn(parse_inbound(eml("dsn_hard_bounce.eml")).mime)
    assert (failure.recipient, failure.action, failure.status) == (JO, "failed", "5.1.1")
    assert failure.hard and failure.final
    assert failure.original_message_id == IDS[JO]
    assert "User unknown" in (failure.diagnostic or "")


def test_dsn_delay_is_soft_and_not_final():
    message = parse_inbound(eml("dsn_delayed.eml"))
    [failure] = parse_dsn(message.mime)
    assert (failure.status, failure.hard, failure.final) == ("4.4.7", False, False)
    result = classify_message(message)
    assert (result.kind, result.bounced_email, result.hard_bounce) == ("delivery_delayed", SAM, False)


def test_a_plain_reply_is_not_a_dsn():
    assert parse_dsn(parse_inbound(eml("reply_positive_quoted.eml")).mime) == []


def test_out_of_office_with_return_date_from_headers_en_and_de():
    en = classify_message(parse_inbound(eml("ooo_en_auto_submitted.eml")))
    assert (en.kind, en.return_date) == ("out_of_office", date(2027, 3, 3))
    de = classify_message(parse_inbound(eml("ooo_de_x_autoreply.eml")))
    assert (de.kind, de.return_date) == ("out_of_office", date(2026, 12, 5))
    assert en.confidence > 0.9 and de.confidence > 0.9


def test_out_of_office_without_return_date():
    result = classify_message(parse_inbound(eml("ooo_fr_no_date.eml")))
    assert (result.kind, result.return_date) == ("out_of_office", None)


def test_out_of_office_from_phrasing_alone():
    raw = (b"From: x@delta.example\r\nSubject: Re: hello\r\nMessage-ID: <o1@delta.example>\r\n"
           b"Date: Mon, 16 Nov 2026 10:00:00 +0000\r\n\r\n"
           b"Estoy fuera de la oficina hasta el 7 de diciembre.\r\n")
    result = classify_message(parse_inbound(raw))
    assert (result.kind, result.return_date) == ("out_of_office", date(2026, 12, 7))


@pytest.mark.parametrize(("text", "expected"), [
    ("I'm back on 3 March.", date(2027, 3, 3)),
    ("Returning 2026-12-01, limited email until then", date(2026, 12, 1)),
    ("Ich bin bis zum 5.12. nicht erreichbar", date(2026, 12, 5)),
    ("Je serai de retour le 4 janvier", date(2027, 1, 4)),
    ("Out from 1 Dec to 9 Dec 2026", date(2026, 12, 9)),
    ("Vom 1.12. bis 8.12.2026 im Urlaub", date(2026, 12, 8)),
    ("Back on November 28th, 2026", date(2026, 11, 28)),
    ("No date here, meeting at 3.30", None),
])
def test_return_dates(text, expected):
    assert return_date(text, date(2026, 11, 20)) == expected


def test_quoted_text_is_not_classified():
    # The quote carries "Not interested", "no thanks" and "Unsubscribe"; the new text is positive.
    result = classify_message(parse_inbound(eml("reply_positive_quoted.eml")))
    assert result.kind == "positive"
    assert "Unsubscribe" not in result.text_excerpt and "Thursday at 3pm" in result.text_excerpt
    negative = classify_message(parse_inbound(eml("reply_negative_outlook.eml")))
    assert negative.kind == "negative"  # the Outlook-quoted "interested ... Let's talk" is ignored
    html = classify_message(parse_inbound(eml("reply_neutral_html.eml")))
    assert (html.kind, html.text_excerpt) == ("neutral", "Thanks, we are evaluating vendors in Q1.")


@pytest.mark.parametrize(("text", "kind"), [
    ("Please unsubscribe me.", "unsubscribe"),
    ("Sounds good, but remove me from this list.", "unsubscribe"),
    ("Bitte austragen.", "unsubscribe"),
    ("Not interested, thanks.", "negative"),
    ("No thanks.", "negative"),
    ("Kein Interesse.", "negative"),
    ("Non merci.", "negative"),
    ("Interested! Let's talk.", "positive"),
    ("Can we book a call?", "positive"),
    ("How about Tuesday 10:30?", "positive"),
    ("Me interesa, hablemos.", "positive"),
    ("Who gave you my address?", "neutral"),
])
def test_intent_rules(text, kind):
    raw = f"From: p@x.example\nSubject: Re: hi\nMessage-ID: <m@x.example>\n\n{text}\n".encode()
    assert classify_message(parse_inbound(raw)).kind == kind


def test_attribution_wrapped_over_two_lines_and_signature_are_cut():
    text = "Yes please.\n\nOn Mon, Nov 2, 2026 at 9:00 AM Ana Ruiz <ana@pipewise.io>\nwrote:\n> old"
    assert new_text(text) == "Yes please."
    assert new_text("Ok.\n-- \nJo Park | CTO\nunsubscribe@x") == "Ok."
    assert new_text("On Tuesday works.\nOn Mon, 2 Nov 2026, Ana wrote:\n> q") == "On Tuesday works."


def test_llm_hook_is_used_for_human_replies_and_validated():
    message = parse_inbound(eml("reply_neutral_html.eml"))
    seen: list[str] = []

    def llm(text: str):
        seen.append(text)
        return ("positive", 0.66)

    result = classify_message(message, llm=llm)
    assert (result.kind, result.confidence, result.engine) == ("positive", 0.66, "llm")
    assert seen == ["Thanks, we are evaluating vendors in Q1."]
    assert classify_message(message, llm=lambda _t: "banana").engine == "rules"
    assert classify_message(message, llm=lambda _t: None).kind == "neutral"
    # Structure wins over the model: a DSN never reaches it.
    assert classify_message(parse_inbound(eml("dsn_hard_bounce.eml")), llm=llm).kind == "bounce"
    assert len(seen) == 1


def test_inbound_parse_form_fields():
    message = parse_inbound(form("inbound_parse_reply.json"))
    assert message.from_email == JO
    assert message.thread_ids == [IDS[JO]]
    assert classify_message(message).kind == "positive"
    envelope_only = {k: v for k, v in form("inbound_parse_reply.json").items() if k != "from"}
    envelope_only["headers"] = envelope_only["headers"].replace("From: Jo Park <jo@acme.example>\n", "")
    assert parse_inbound(envelope_only).from_email == JO


def test_subject_normalization():
    assert normalized_subject("RE: AW: Re: Pipelines at acme.example") == ("pipelines at acme.example", True)
    assert normalized_subject("Automatic reply: Hi") == ("hi", True)
    assert normalized_subject("[EXTERNAL] Re: Hi") == ("hi", True)
    assert normalized_subject("Hi") == ("hi", False)


# --- threading and applying ------------------------------------------------------------

def test_threading_by_in_reply_to_and_references(db):
    direct = read_reply(db.repo, db.workspace_id, eml("reply_positive_quoted.eml"))
    assert direct.message_ref == IDS[JO]
    via_references = read_reply(db.repo, db.workspace_id, eml("reply_neutral_html.eml"))
    assert via_references.message_ref == IDS[JO]


def test_threading_falls_back_to_sender_and_subject(db):
    result = read_reply(db.repo, db.workspace_id, eml("reply_negative_outlook.eml"))
    assert result.message_ref == IDS[JO]
    stranger = (b"From: nobody@else.example\nSubject: Re: Pipelines at acme.example\n"
                b"Message-ID: <s@else.example>\n\nHello\n")
    assert read_reply(db.repo, db.workspace_id, stranger).message_ref is None


def test_threading_is_scoped_to_the_workspace(db):
    other = db.repo.ensure_workspace("someone-else")
    assert read_reply(db.repo, other, eml("reply_positive_quoted.eml")).message_ref is None


def test_a_reply_stops_the_contacts_sequence_once(db):
    result = read_reply(db.repo, db.workspace_id, eml("reply_positive_quoted.eml"))
    summary = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert (summary.recorded, summary.cancelled, summary.campaign_id) == (True, 2, db.campaign_id)
    assert statuses(db, JO) == {1: "sent", 2: "cancelled", 3: "cancelled"}
    assert statuses(db, SAM) == {1: "sent", 2: "queued", 3: "queued"}
    [event] = db.repo.events(db.workspace_id, kind="reply_positive")
    assert event.outbox_message_id == db.rows[JO][1].id
    again = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert (again.recorded, again.cancelled) == (False, 0)
    assert not db.repo.is_suppressed(db.workspace_id, JO)


def test_unsubscribe_reply_is_suppressed_and_stopped(db):
    result = read_reply(db.repo, db.workspace_id, eml("reply_unsubscribe.eml"))
    summary = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert (summary.kind, summary.suppressed, summary.cancelled) == ("unsubscribe", True, 2)
    assert db.repo.is_suppressed(db.workspace_id, SAM)
    assert not db.repo.is_suppressed("another-workspace", SAM)


def test_hard_bounce_dsn_suppresses_globally_and_stops(db):
    result = read_reply(db.repo, db.workspace_id, eml("dsn_hard_bounce.eml"))
    assert (result.kind, result.message_ref, result.bounced_email) == ("bounce", IDS[JO], JO)
    summary = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert summary.suppressed and summary.cancelled == 2
    assert db.repo.is_suppressed("any-workspace", JO)


def test_delay_notice_changes_nothing(db):
    result = read_reply(db.repo, db.workspace_id, eml("dsn_delayed.eml"))
    assert result.message_ref == IDS[SAM]
    summary = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert summary.recorded and summary.cancelled == 0
    assert statuses(db, SAM) == {1: "sent", 2: "queued", 3: "queued"}


def test_out_of_office_moves_queued_steps_past_the_return_date(db):
    before = db.outbox(SAM)
    result = read_reply(db.repo, db.workspace_id, eml("ooo_de_x_autoreply.eml"))
    summary = apply_reply(db.repo, db.workspace_id, result, now=NOW)
    assert summary.postponed == 2 and summary.cancelled == 0
    assert summary.resume_at == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    after = db.outbox(SAM)
    assert after[2].due_at == summary.resume_at
    assert after[3].due_at - after[2].due_at == before[3].due_at - before[2].due_at  # gap kept
    assert {after[2].status, after[3].status} == {"queued"}


def test_out_of_office_without_date_waits_five_business_days(db):
    result = read_reply(db.repo, db.workspace_id, eml("ooo_fr_no_date.eml"))
    # No In-Reply-To and an auto-reply subject prefix: threaded by sender and subject.
    assert result.message_ref == db.message_id(CAMILLE)
    now = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)  # a Friday
    summary = apply_reply(db.repo, db.workspace_id, result, now=now)
    assert summary.resume_at == now + timedelta(days=7)
    assert db.outbox(CAMILLE)[2].due_at == summary.resume_at


def test_business_days_skip_weekends():
    friday = datetime(2026, 11, 6, 12, tzinfo=UTC)
    assert add_business_days(friday, 1) == friday + timedelta(days=3)
    assert add_business_days(friday - timedelta(days=4), 5) == friday + timedelta(days=3)


def test_out_of_office_after_the_queue_already_passed_changes_nothing(db):
    result = read_reply(db.repo, db.workspace_id, eml("ooo_de_x_autoreply.eml"))
    late = SENT_AT + timedelta(days=90)
    with db.repo._sessions.begin() as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.to_email == SAM,
                                              OutboxMessage.status == "queued").values(due_at=late))
    assert apply_reply(db.repo, db.workspace_id, result, now=NOW).postponed == 0
