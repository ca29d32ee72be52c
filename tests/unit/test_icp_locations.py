"""Location normalisation: aliases, states, cities, regions and remote, compared at the ICP's grain."""

from __future__ import annotations

import pytest

from agents.icp.locations import Verdict, compare, parse_location, parse_target

SF = "San Francisco, CA, USA"


@pytest.mark.parametrize("term", ["US", "USA", "U.S.", "United States", "America", "united states of america"])
def test_us_aliases_all_name_the_united_states(term: str) -> None:
    assert parse_target(term).countries == {"US"}


@pytest.mark.parametrize("term", ["UK", "GB", "Great Britain", "England", "United Kingdom"])
def test_uk_aliases_all_name_great_britain(term: str) -> None:
    assert parse_target(term).countries == {"GB"}


@pytest.mark.parametrize("term, code", [("Germany", "DE"), ("Deutschland", "DE"), ("DEU", "DE"), ("Brazil", "BR")])
def test_other_countries_come_from_pycountry_and_native_names(term: str, code: str) -> None:
    assert parse_target(term).countries == {code}


@pytest.mark.parametrize("term", ["US", "California", "San Francisco", "Bay Area", "North America", "Americas"])
def test_san_francisco_matches_country_state_city_metro_and_region(term: str) -> None:
    assert compare(parse_location(SF), parse_target(term)) is Verdict.MATCH


@pytest.mark.parametrize("term", ["UK", "Texas", "New York", "Europe", "APAC", "Los Angeles"])
def test_san_francisco_mismatches_other_places(term: str) -> None:
    assert compare(parse_location(SF), parse_target(term)) is Verdict.MISMATCH


def test_state_codes_after_a_city_are_states_not_countries() -> None:
    austin = parse_location("Austin, TX")
    assert austin.countries == {"US"} and austin.state == "US-TX"
    montreal = parse_location("Montreal, QC, Canada")
    assert montreal.countries == {"CA"}
    assert compare(montreal, parse_target("California")) is Verdict.MISMATCH


@pytest.mark.parametrize("region, inside, outside", [
    ("Europe", "Berlin, Berlin, Germany", "Toronto, ON, Canada"),
    ("EU", "Paris, Île-de-France, France", "London, United Kingdom"),
    ("Nordics", "Stockholm, Stockholm County, Sweden", "Berlin, Germany"),
    ("DACH", "Zurich, Switzerland", "Paris, France"),
    ("LATAM", "Bogotá, Bogota, Colombia", "Madrid, Spain"),
    ("APAC", "Bengaluru, KA, India", "Lagos, Nigeria"),
    ("North America", "Toronto, ON, Canada", "London, England, United Kingdom"),
])
def test_regions_are_sets_of_countries(region: str, inside: str, outside: str) -> None:
    target = parse_target(region)
    assert compare(parse_location(inside), target) is Verdict.MATCH
    assert compare(parse_location(outside), target) is Verdict.MISMATCH


def test_known_city_alone_implies_its_country_and_state() -> None:
    place = parse_location("Palo Alto")
    assert place.countries == {"US"} and place.state == "US-CA"


def test_remote_alone_is_unknown_for_a_country_and_a_match_for_remote() -> None:
    remote = parse_location("Remote")
    assert compare(remote, parse_target("US")) is Verdict.UNKNOWN
    assert compare(remote, parse_target("Remote")) is Verdict.MATCH
    assert compare(parse_location(SF), parse_target("Remote")) is Verdict.UNKNOWN


def test_remote_with_a_country_keeps_the_country() -> None:
    place = parse_location("Remote (US)")
    assert place.remote and place.countries == {"US"}


def test_coarser_company_location_is_unknown_for_a_city_target() -> None:
    assert compare(parse_location("USA"), parse_target("San Francisco")) is Verdict.UNKNOWN
    assert compare(parse_location("Germany"), parse_target("San Francisco")) is Verdict.MISMATCH


def test_anywhere_matches_everything_and_unknown_terms_are_none() -> None:
    assert compare(parse_location("Lagos, Nigeria"), parse_target("worldwide")) is Verdict.MATCH
    assert parse_target("Atlantis-on-Sea") is None
