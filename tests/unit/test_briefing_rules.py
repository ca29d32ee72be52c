"""Briefing rules engine: slot filling from free text, corrections, validation as questions."""

from __future__ import annotations

import pytest

from agents.briefing import (
    BriefDraft,
    BriefUpdate,
    apply_update,
    brief_turn,
    missing,
    update_from_text,
)
from agents.briefing.draft import to_campaign_brief


def test_offer_and_icp_from_one_sentence():
    update = update_from_text("We sell route planning software to courier companies in Germany "
                              "with 20-200 employees.")
    assert update.offer == "route planning software to courier companies in Germany with 20-200 employees"
    assert update.locations == ["Germany"]
    assert (update.min_employees, update.max_employees) == (20, 200)


def test_explicit_icp_fields_one_per_line():
    update = update_from_text("industries: devtools, fintech\nlocations: US, UK\n10-50 employees\n"
                              "must be hiring\nexclude crypto")
    assert update.industries == ["developer tools", "fintech"]
    assert update.locations == ["US", "UK"]
    assert (update.min_employees, update.max_employees) == (10, 50)
    assert update.signals == ["hiring"]
    assert update.exclude == ["crypto"]


def test_sender_intro_email_and_address():
    update = update_from_text("I'm Priya Raman from Loomwork, priya@loomwork.example.\n"
                              "Our address is 77 Canal Street, Manchester M1 3HP")
    assert (update.sender_name, update.sender_company) == ("Priya Raman", "Loomwork")
    assert update.sender_email == "priya@loomwork.example"
    assert update.postal_address == "77 Canal Street, Manchester M1 3HP"
    assert update.companies == []  # the sender's own domain is not a target


def test_companies_urls_and_domains_but_not_own_site():
    update = update_from_text("Targets: https://orbit.example/about, nimbus.io and kestrel.co.uk. "
                              "Our website is loomwork.example")
    assert update.companies == ["https://orbit.example/about", "nimbus.io", "kestrel.co.uk"]


@pytest.mark.parametrize("text,source", [
    ("use the YC directory", "yc"), ("pull them from Crunchbase", "crunchbase"),
])
def test_discovery_source(text, source):
    assert update_from_text(text).discovery == source


def test_launched_on_product_hunt_is_a_signal_not_a_source():
    assert update_from_text("companies that launched on Product Hunt").discovery is None


def test_sequence_steps_and_campaign_name():
    update = update_from_text("3 emails per contact. Call it Spring courier push")
    assert update.sequence_steps == 3 and update.name == "Spring courier push"
    assert update_from_text("one e-mail and 2 follow-ups").sequence_steps == 1
    assert update_from_text("two follow-ups").sequence_steps == 3


@pytest.mark.parametrize("text", ["yes", "go", "create it", "Looks good!", "yes, go ahead"])
def test_confirmations(text):
    assert update_from_text(text).confirm


def test_bare_answer_fills_the_slot_that_was_asked():
    assert update_from_text("Priya Raman", asked="sender_name").sender_name == "Priya Raman"
    assert update_from_text("Loomwork Ltd", asked="sender_company").sender_company == "Loomwork Ltd"
    assert update_from_text("Priya Raman", asked=None).is_empty()
    assert update_from_text("anyone", asked="icp").icp_open


def test_corrections_overwrite():
    draft, _ = apply_update(BriefDraft(), update_from_text(
        "We sell payroll software. Target: fintech companies in France"))
    draft, _ = apply_update(draft, update_from_text("actually, the offer is expense reporting for finance teams"))
    draft, _ = apply_update(draft, update_from_text("change locations to UK"))
    assert draft.offer == "expense reporting for finance teams"
    assert draft.icp.locations == ["UK"] and draft.icp.industries == ["fintech"]


def test_invalid_email_is_dropped_with_a_problem():
    draft, problems = apply_update(BriefDraft(), BriefUpdate(sender_email="priya at loomwork"))
    assert draft.sender.email is None
    assert problems and "e-mail" in problems[0] and "priya at loomwork" in problems[0]
    assert "sender_email" in missing(draft)


def test_size_range_the_wrong_way_round_is_a_problem():
    draft, problems = apply_update(BriefDraft(), BriefUpdate(min_employees=500, max_employees=10))
    assert draft.icp.min_employees is None and draft.icp.max_employees is None
    assert problems and "size" in problems[0]


def test_name_is_derived_from_offer_and_icp_unless_given():
    draft, _ = apply_update(BriefDraft(), update_from_text("We sell payroll software to fintech companies in France"))
    assert draft.name == "Payroll software for fintech in France"
    draft, _ = apply_update(draft, BriefUpdate(name="Q3 push"))
    draft, _ = apply_update(draft, BriefUpdate(offer="expense reporting"))
    assert draft.name == "Q3 push"


async def test_conversation_reaches_confirmation_and_creation():
    draft = BriefDraft()
    turns = [
        ("We help clinics cut no-shows with SMS reminders", "icp"),
        ("dental clinics in Canada, 5-50 employees", "companies"),
        ("brightsmile.example, https://maplecare.example", "sender_name"),
        ("Priya Raman", "sender_company"),
        ("Loomwork", "sender_email"),
        ("priya@loomwork", "sender_email"),  # invalid: asked again
        ("priya@loomwork.example", "postal_address"),
        ("PO Box 4410, Toronto ON M5W 1J1", "confirm"),
    ]
    for text, asked_next in turns:
        turn = await brief_turn(draft, text)
        assert turn.action in ("ask", "confirm"), turn.reply
        assert turn.draft.asked == asked_next, (text, turn.reply)
        draft = turn.draft
    assert "priya@loomwork" in (await brief_turn(BriefDraft(asked="sender_email"), "priya@loomwork")).reply
    assert turn.complete and turn.missing == []
    final = await brief_turn(draft, "looks good")
    assert final.action == "create" and final.brief == to_campaign_brief(draft)
    assert final.brief.offer == "We help clinics cut no-shows with SMS reminders"
    assert final.brief.sender.postal_address == "PO Box 4410, Toronto ON M5W 1J1"


async def test_confirmation_before_complete_asks_for_what_is_missing():
    turn = await brief_turn(BriefDraft(), "yes")
    assert turn.action == "ask" and turn.missing[0] == "offer"
    assert "still missing" in turn.reply


async def test_unreadable_message_asks_again_without_inventing():
    turn = await brief_turn(BriefDraft(asked="offer"), "")
    assert turn.draft.offer is None and turn.action == "ask"
