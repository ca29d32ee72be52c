"""Reading ICP fields from a brief's free text, and the effective ICP of a campaign brief."""

from __future__ import annotations

import pytest

from agents.icp import effective_icp, icp_from_text
from core.models import ICP, CampaignBrief, Sender

SENDER = Sender(name="Ada", company="Acme", email="ada@acme.example", postal_address="1 Main St, Springfield")


def test_the_reference_sentence() -> None:
    icp = icp_from_text(
        "Seed-stage devtools startups in the US or UK with 5-50 people that are hiring engineers, no crypto"
    )
    assert icp.industries == ["developer tools"]
    assert icp.locations == ["US", "UK"]
    assert (icp.min_employees, icp.max_employees) == (5, 50)
    assert icp.signals == ["hiring engineers"]
    assert icp.exclude == ["crypto"]


@pytest.mark.parametrize("text, low, high", [
    ("teams with 2–20 people", 2, 20),
    ("between 10 and 200 employees", 10, 200),
    ("under 100 employees", None, 99),
    ("up to 30 people", None, 30),
    ("at least 5 people", 5, None),
    ("more than 50 employees", 51, None),
    ("500+ employees", 500, None),
    ("headcount 10-50", 10, 50),
])
def test_employee_ranges(text: str, low: int | None, high: int | None) -> None:
    icp = icp_from_text(text)
    assert (icp.min_employees, icp.max_employees) == (low, high)


@pytest.mark.parametrize("text, signals", [
    ("fintechs that recently raised a Series A", ["funding"]),
    ("companies raising their seed", ["funding"]),
    ("teams that just launched a new product", ["launch"]),
    ("startups hiring", ["hiring"]),
    ("startups hiring backend engineers in Berlin", ["hiring backend engineers"]),
])
def test_signals(text: str, signals: list[str]) -> None:
    assert icp_from_text(text).signals == signals


def test_places_need_a_place_context_and_short_codes_need_capitals() -> None:
    assert icp_from_text("Tell us about fintech companies").locations == []
    assert icp_from_text("US-based fintechs").locations == ["US"]
    assert icp_from_text("European healthcare companies").locations == ["Europe"]
    assert icp_from_text("security firms in California, Texas or New York").locations == [
        "California", "Texas", "New York",
    ]
    assert icp_from_text("fintech anywhere").locations == []


def test_exclusions_are_not_industries_and_lists_split() -> None:
    icp = icp_from_text("Security startups across North America, excluding government and defense")
    assert icp.industries == ["security"]
    assert icp.exclude == ["government", "defense"]
    assert icp.locations == ["North America"]


def test_hiring_words_are_not_read_as_the_hr_industry() -> None:
    icp = icp_from_text("logistics companies recruiting drivers")
    assert icp.industries == ["logistics"]
    assert icp.signals == ["hiring drivers"]


def _brief(description: str, icp: ICP | None = None) -> CampaignBrief:
    return CampaignBrief(name="c", description=description, offer="our product", icp=icp or ICP(), sender=SENDER)


def test_effective_icp_fills_only_empty_fields_from_the_description() -> None:
    brief = _brief(
        "Healthcare companies in Europe with 10-100 people that are hiring",
        ICP(industries=["biotech"], max_employees=40),
    )
    icp = effective_icp(brief)
    assert icp.industries == ["biotech"]  # explicit wins
    assert icp.locations == ["Europe"]  # filled
    assert (icp.min_employees, icp.max_employees) == (10, 40)
    assert icp.signals == ["hiring"]


def test_effective_icp_never_builds_an_invalid_range() -> None:
    icp = effective_icp(_brief("teams of 50-200 people", ICP(max_employees=20)))
    assert icp.max_employees == 20 and (icp.min_employees is None or icp.min_employees <= 20)


def test_effective_icp_without_description_is_the_explicit_icp() -> None:
    explicit = ICP(industries=["fintech"])
    assert effective_icp(_brief("", explicit)) == explicit
