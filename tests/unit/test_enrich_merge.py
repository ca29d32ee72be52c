from core.models import Company, Contact
from tools.enrich.merge import merge_company, merge_contacts
from tools.enrich.pdl import size_range

SITE = "https://acme-robotics.com/about"
API = "https://api.example-provider.com/v1/company?domain=acme-robotics.com"


def scraped() -> Company:
    return Company(
        domain="acme-robotics.com", name="Acme Robotics", industry="logistics", team_size=12,
        locations=["Berlin, Germany"],
        sources={"name": SITE, "industry": SITE, "team_size": SITE, "locations": SITE},
    )


def test_missing_fields_are_filled_with_the_provider_as_source():
    merged, filled, conflicts = merge_company(scraped(), {"country": "Germany", "description": "Robots."}, API)
    assert merged.country == "Germany" and merged.description == "Robots."
    assert merged.sources["country"] == API and merged.sources["description"] == API
    assert sorted(filled) == ["country", "description"] and conflicts == []


def test_a_different_value_keeps_the_scraped_one_and_records_both_sources():
    original = scraped()
    merged, filled, conflicts = merge_company(original, {"industry": "fintech", "name": "Acme Robotics GmbH"}, API)
    assert merged.industry == "logistics" and merged.sources["industry"] == SITE
    assert filled == []
    assert len(conflicts) == 1  # "Acme Robotics GmbH" contains the scraped name: agreement
    c = conflicts[0]
    assert (c.field, c.scraped, c.scraped_source, c.enriched, c.provider_source) == (
        "industry", "logistics", SITE, "fintech", API)
    assert merged.conflicts == conflicts
    assert original.conflicts == [] and original.industry == "logistics"  # the input is not mutated


def test_team_size_inside_the_provider_bucket_agrees_outside_conflicts():
    _, _, inside = merge_company(scraped(), {"team_size": 30}, API, team_size_range=(11, 50))
    _, _, outside = merge_company(scraped(), {"team_size": 300}, API, team_size_range=(201, 500))
    assert inside == [] and [c.field for c in outside] == ["team_size"]


def test_one_shared_place_is_agreement():
    _, _, same = merge_company(scraped(), {"locations": ["Berlin, Land Berlin, Germany"]}, API)
    _, _, other = merge_company(scraped(), {"locations": ["Paris, Ile-de-France, France"]}, API)
    assert same == [] and other[0].enriched == "Paris, Ile-de-France, France"


def test_merging_twice_records_a_conflict_once():
    once, _, _ = merge_company(scraped(), {"industry": "fintech"}, API)
    twice, _, _ = merge_company(once, {"industry": "fintech"}, API)
    assert len(twice.conflicts) == 1


def test_contacts_off_domain_are_dropped_and_found_addresses_are_never_replaced():
    team = "https://acme-robotics.com/team"
    contacts = [
        Contact(name="Jane Doe", title="CEO", email="jane@acme-robotics.com", source_url=team, email_status="found", confidence=1.0),
        Contact(name="Omar Ali", title="CTO", source_url=team),
        Contact(name="Li Wei", email="li@acme-robotics.com", source_url=team, email_status="guessed", confidence=0.4),
    ]
    offered = [
        Contact(name="Jane Doe", email="j.doe@acme-robotics.com", email_status="found", confidence=0.99, source_url="https://x.org/p"),
        Contact(name="Omar Ali", title="Head of Sales", email="omar@acme-robotics.com", email_status="found", confidence=0.95, source_url="https://blog.acme-robotics.com/post"),
        Contact(name="Li Wei", email="wei.li@acme-robotics.com", email_status="guessed", confidence=0.7, source_url=API),
        Contact(name="Eve Out", email="eve@gmail.com", email_status="found", confidence=0.99, source_url="https://x.org/e"),
        Contact(name="New Person", title="COO", email="new@mail.acme-robotics.com", email_status="guessed", confidence=0.5, source_url=API),
    ]
    merged, added, conflicts = merge_contacts(contacts, offered, "acme-robotics.com", API)
    by_name = {c.name: c for c in merged}
    assert by_name["Jane Doe"].email == "jane@acme-robotics.com"
    assert any(c.field == "contact[Jane Doe].email" and c.enriched == "j.doe@acme-robotics.com" for c in conflicts)
    omar = by_name["Omar Ali"]
    assert (omar.email, omar.email_status, omar.title) == ("omar@acme-robotics.com", "found", "CTO")
    assert omar.sources["email"] == "https://blog.acme-robotics.com/post" and omar.source_url == team
    assert any(c.field == "contact[Omar Ali].title" for c in conflicts)
    assert (by_name["Li Wei"].email, by_name["Li Wei"].confidence) == ("wei.li@acme-robotics.com", 0.7)
    assert "Eve Out" not in by_name
    assert added == 1 and by_name["New Person"].email_status == "guessed"


def test_size_buckets():
    assert size_range("11-50") == (11, 50)
    assert size_range("10001+") == (10001, 10**9)
    assert size_range(None) is None and size_range("many") is None
