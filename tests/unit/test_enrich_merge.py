"""The merge rule: provider data fills what scraping left empty; a disagreement never overwrites a
sourced value silently, it is kept as a conflict naming both values and both sources."""

from core.models import Company, Contact, Evidence
from tools.enrich.merge import merge_company, merge_contacts
from tools.enrich.pdl import founded_conflict, size_range

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


def test_no_sourced_value_is_overwritten_silently_whoever_set_it():
    """The scraped value wins over the first provider; the first provider's fill wins over the
    second; each disagreement keeps both values and both sources."""
    first = "https://api.peopledatalabs.com/v5/company/enrich?website=acme-robotics.com"
    second = "https://api.hunter.io/v2/domain-search?domain=acme-robotics.com"
    once, filled, _ = merge_company(scraped(), {"country": "Germany", "industry": "fintech"}, first)
    twice, _, conflicts = merge_company(once, {"country": "Austria", "industry": "logistics"}, second)
    assert filled == ["country"] and (twice.country, twice.sources["country"]) == ("Germany", first)
    assert twice.industry == "logistics" and twice.sources["industry"] == SITE
    [country] = conflicts
    assert (country.scraped, country.scraped_source, country.enriched, country.provider_source) == (
        "Germany", first, "Austria", second)
    assert [(c.field, c.scraped_source, c.provider_source) for c in twice.conflicts] == [
        ("industry", SITE, first), ("country", first, second)]


def test_a_contact_disagreement_names_both_sources():
    team = "https://acme-robotics.com/team"
    mine = [Contact(name="Jane Doe", title="CEO", email="jane@acme-robotics.com", source_url=team,
                    email_status="found", confidence=1.0)]
    offer = [Contact(name="Jane Doe", title="Head of Sales", email="jd@acme-robotics.com", email_status="found",
                     confidence=0.97, source_url="https://blog.example.org/acme")]
    merged, _, conflicts = merge_contacts(mine, offer, "acme-robotics.com", API)
    assert (merged[0].email, merged[0].title) == ("jane@acme-robotics.com", "CEO")
    by_field = {c.field: c for c in conflicts}
    email = by_field["contact[Jane Doe].email"]
    assert (email.scraped_source, email.provider_source) == (team, "https://blog.example.org/acme")
    title = by_field["contact[Jane Doe].title"]
    assert (title.scraped, title.scraped_source, title.enriched, title.provider_source) == (
        "CEO", team, "Head of Sales", API)


def test_a_founding_year_is_compared_with_the_scraped_fact():
    about = "https://acme-robotics.com/about"
    company = scraped().model_copy(update={"facts": [Evidence(claim="Founded in Berlin in 2017.", source_url=about)]})
    conflict = founded_conflict(company, 2019, API)
    assert conflict is not None and (conflict.scraped_source, conflict.enriched, conflict.provider_source) == (
        about, "2019", API)
    assert founded_conflict(company, 2017, API) is None
    assert founded_conflict(company.model_copy(update={"conflicts": [conflict]}), 2019, API) is None  # once
    shipped = scraped().model_copy(update={"facts": [Evidence(claim="We shipped 2000 robots.", source_url=about)]})
    assert founded_conflict(shipped, 2019, API) is None
