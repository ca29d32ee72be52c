"""Tracking results as memory outcomes: which replies and provider events count (and as what),
and the recorded outcome carrying the company profile, copy angle, prompt version and score."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.outcomes import (
    build_outcome,
    close_memory,
    event_outcome,
    outcome_kind,
    record_outcome,
    reply_outcome,
)
from core.models import Company, Draft, Lead, Qualification
from memory.store import OutcomeMemory
from tools.tracking.types import ReplyResult, TrackingEvent

AT = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)


def reply(kind: str, **extra) -> ReplyResult:
    return ReplyResult(kind, "<m@x>", "jo@acme.example", **extra)


def event(kind: str, **extra) -> TrackingEvent:
    return TrackingEvent(kind, "jo@acme.example", "evt-1", "<m@x>", AT, **extra)


@pytest.mark.parametrize(("result", "expected"), [
    (reply("positive"), "replied_positive"),
    (reply("neutral"), "replied_neutral"),
    (reply("negative"), "replied_negative"),
    (reply("unsubscribe"), "unsubscribed"),
    (reply("bounce", hard_bounce=True), "bounced"),
    (reply("bounce", hard_bounce=False), None),
    (reply("out_of_office"), None),
    (reply("delivery_delayed"), None),
])
def test_reply_outcomes(result, expected):
    assert reply_outcome(result) == expected


@pytest.mark.parametrize(("tracked", "expected"), [
    (event("bounce", hard_bounce=True), "bounced"),
    (event("bounce", hard_bounce=False), None),
    (event("dropped", hard_bounce=True, reason="Bounced Address"), "bounced"),
    (event("dropped", reason="Spam Reporting Address"), "complained"),
    (event("spamreport"), "complained"),
    (event("unsubscribe"), "unsubscribed"),
    (event("group_unsubscribe"), "unsubscribed"),
    (event("blocked"), None),
    (event("delivered"), None),
    (event("open"), None),
    (event("click"), None),
])
def test_event_outcomes(tracked, expected):
    assert event_outcome(tracked) == expected


def test_outcome_kind_accepts_outcome_and_reply_kinds():
    assert outcome_kind("meeting") == "meeting"
    assert outcome_kind("positive") == "replied_positive"
    assert outcome_kind("out_of_office") is None


def lead() -> Lead:
    company = Company(name="Ledgerly", domain="ledgerly.io", industry="accounting software", team_size=40,
                      description="Cloud bookkeeping for small businesses.")
    return Lead(url="https://ledgerly.io", company=company, qualification=Qualification(fit=True, score=77),
                drafts=[Draft(step=1, subject="a", body="b", angle="hiring", prompt_version="copywriter/first_touch@v2"),
                        Draft(step=2, subject="c", body="d", angle="follow_up", prompt_version="copywriter/follow_up@v1")])


def test_outcome_carries_profile_angle_prompt_version_and_score_of_the_step():
    outcome = build_outcome("camp-1", lead(), "replied_positive", step=2)
    assert outcome is not None
    assert (outcome.domain, outcome.industry, outcome.angle, outcome.prompt_version, outcome.score) == (
        "ledgerly.io", "accounting software", "follow_up", "copywriter/follow_up@v1", 77)
    assert outcome.profile == OutcomeMemory.profile_text(lead().company)
    assert build_outcome("camp-1", Lead(url="https://x.example"), "bounced") is None


def test_record_outcome_stores_it_in_memory_once(settings):
    memory = OutcomeMemory.from_settings(settings)
    try:
        first = record_outcome(None, memory, lead=lead(), campaign_id="camp-1", kind="positive")
        again = record_outcome(None, memory, lead=lead(), campaign_id="camp-1", kind="positive")
        assert first == again and memory.count() == 1
        assert record_outcome(None, memory, lead=lead(), campaign_id="camp-1", kind="out_of_office") is None
        [prior] = memory.nearest("Bookkeeping software for small companies", 3)
        assert (prior.domain, prior.kind, prior.angle, prior.score) == ("ledgerly.io", "replied_positive", "hiring", 77)
        with pytest.raises(ValueError):
            record_outcome(None, memory, kind="meeting")
    finally:
        close_memory(memory)
