"""Company extraction over several fixture sites: name, description, place, size, industry, hiring, signals."""

from pathlib import Path

import pytest

from tools.extract.company import extract_company
from tools.extract.geo import country_of, location_mentions
from tools.extract.headcount import team_size_in
from tools.extract.industry import classify_industry, match_industry

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
NW = "https://northwind-labs.io"


def _northwind() -> dict[str, str]:
    d = PAGES / "northwind"
    return {
        f"{NW}/": (d / "home.html").read_text(),
        f"{NW}/team": (d / "team.html").read_text(),
        f"{NW}/about": (d / "about.html").read_text(),
        f"{NW}/careers": (d / "careers.html").read_text(),
        f"{NW}/blog/": (d / "blog.html").read_text(),
    }


def test_northwind_company_fields_with_sources():
    company = extract_company(_northwind(), "northwind-labs.io")
    assert company.name == "Northwind Labs"
    assert company.domain == "northwind-labs.io"
    assert company.description.startswith("Northwind Labs builds open-source observability")
    assert company.country == "United States"
    assert any("Austin" in loc for loc in company.locations)
    assert company.team_size == 35
    assert company.industry == "developer tools"
    assert company.is_hiring is True
    assert company.open_roles == ["Developer Advocate", "Senior Backend Engineer", "Product Designer"]
    for field in ("name", "description", "country", "team_size", "industry", "is_hiring"):
        assert company.sources[field].startswith(NW), field
    assert company.sources["is_hiring"] == f"{NW}/careers"
    kinds = {s.kind for s in company.signals}
    assert {"funding", "launch", "news", "hiring", "tech"} <= kinds
    assert any(s.kind == "news" and s.text.startswith("2024-05-14") for s in company.signals)
    assert {"Next.js", "Rust"} <= {s.text for s in company.signals if s.kind == "tech"}
    assert any("Series A" in f.claim and f.source_url == f"{NW}/" for f in company.facts)


def test_hidden_injection_never_reaches_company_data():
    company = extract_company(_northwind(), "northwind-labs.io")
    everything = company.model_dump_json()
    assert "ignore all previous instructions" not in everything
    assert "exfil-example" not in everything
    assert set(company.pages) == set(_northwind())
    assert "Meet the team" in company.pages[f"{NW}/team"]


def test_page_text_is_trimmed_to_budget():
    big = "<p>" + "word " * 10_000 + "</p>"
    company = extract_company({"https://big.example.com/": big}, "big.example.com")
    assert len(company.pages["https://big.example.com/"]) == 20_000


def test_minimal_site_title_name_city_country_and_no_openings():
    d = PAGES / "misc"
    pages = {
        "https://quietfield.co.uk/": (d / "home_minimal.html").read_text(),
        "https://quietfield.co.uk/jobs": (d / "careers_none.html").read_text(),
    }
    company = extract_company(pages, "quietfield.co.uk")
    assert company.name == "Quietfield"
    assert company.locations == ["Manchester"] and company.country == "United Kingdom"
    assert company.team_size == 8
    assert company.industry == "fintech"
    assert company.is_hiring is False
    assert company.sources["is_hiring"] == "https://quietfield.co.uk/jobs"


def test_german_impressum_address_and_team_size():
    html = (PAGES / "misc" / "impressum_de.html").read_text()
    company = extract_company({"https://kieler-robotik.de/impressum": html}, "kieler-robotik.de")
    assert company.country == "Germany"
    assert company.team_size == 25
    assert any("Kiel" in loc for loc in company.locations)


def test_hiring_unknown_without_careers_page():
    company = extract_company({"https://x.example.com/": "<h1>X</h1><p>Plain page.</p>"}, "example.com")
    assert company.is_hiring is None
    assert "is_hiring" not in company.sources


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("We are a team of 12 engineers.", 12),
        ("Acme has 45 employees worldwide.", 45),
        ("We're 10-20 people spread over Europe.", 15),
        ("Over 50 people work at Acme.", 50),
        ("We employ more than 1,200 staff.", 1200),
        ("A 30-person team in Berlin.", 30),
        ("Today we are a team of twelve.", 12),
        ("Wir sind 25 Mitarbeiter.", 25),
    ],
)
def test_team_size_phrasings(text, size):
    assert team_size_in(text)[0] == size


@pytest.mark.parametrize(
    "text",
    ["Trusted by 10,000 people worldwide.", "Founded in 2015 with 200 customers.", "Used by 300 teams."],
)
def test_team_size_ignores_customers(text):
    assert team_size_in(text) is None


@pytest.mark.parametrize(
    ("place", "country"),
    [
        ("Austin, TX", "United States"),
        ("123 Main St, Boston, MA 02110", "United States"),
        ("Cambridge, MA", "United States"),
        ("Santa Fe, New Mexico", "United States"),
        ("London, Ontario", "Canada"),
        ("Holtenauer Straße 42, 24105 Kiel, Deutschland", "Germany"),
        ("Berlin", "Germany"),
        ("Seoul", "South Korea"),
        ("UK", "United Kingdom"),
        ("Somewhere nice", None),
    ],
)
def test_country_normalisation(place, country):
    assert country_of(place) == country


def test_country_codes_only_when_allowed():
    assert country_of("DE", allow_code=True) == "Germany"
    assert country_of("DE") is None


def test_location_mentions():
    text = "Acme is headquartered in Austin, TX. We have offices in London, Berlin and New York."
    found = [(place, hq) for place, _, hq in location_mentions(text)]
    assert found == [("Austin, TX", True), ("London", False), ("Berlin", False), ("New York", False)]


def test_industry_taxonomy():
    assert classify_industry("Telehealth platform connecting patients with doctors.") == "healthcare"
    assert classify_industry("Route planning and freight visibility for shippers and carriers.") == "logistics"
    assert classify_industry("A nice website.") is None
    assert match_industry("DevTools") == "developer tools"
    assert match_industry("cyber security") == "security"


def test_stated_industry_topics_tagline_and_a_one_page_no_openings_section():
    html = """<html><head><title>Karoo</title></head><body>
    <header><h1>Karoo</h1><p class="tagline">Consumer lending for people banks ignore</p></header>
    <p>Karoo is a fintech company working in consumer finance. Our work spans Fintech, Consumer, Neobank.</p>
    <div class="tags"><span class="tag">Fintech</span> <span class="tag">Lending</span></div>
    <p>Our home base is Toronto, ON, Canada.</p><p>Company size: 1-5 people.</p>
    <h2>Open roles</h2><p>No openings at the moment. Check back soon!</p>
    <footer>Karoo, 1398 Broad Street, Toronto, ON, Canada</footer></body></html>"""
    company = extract_company({"https://karoo.example/": html}, "karoo.example")
    assert company.industry == "fintech (consumer finance)"
    assert company.keywords == ["Fintech", "Lending", "Consumer", "Neobank"]
    assert company.description == "Consumer lending for people banks ignore"
    assert company.is_hiring is False
    assert company.team_size == 3
    assert company.country == "Canada" and any("Toronto" in loc for loc in company.locations)


@pytest.mark.parametrize("text, found", [
    ("Our customer Foo is a logistics company.", None),
    ("We are a fast-growing company.", None),
    ("We're a robotics startup in Ohio.", "robotics"),
])
def test_stated_industry_needs_the_company_as_subject(text, found):
    from tools.extract.industry import stated_industry
    got = stated_industry(text, "Acme")
    assert (got[0] if got else None) == found


def test_topic_lists_and_what_is_not_one():
    from tools.extract.industry import topic_list
    assert topic_list("Focus areas: Artificial Intelligence.") == ["Artificial Intelligence"]
    assert topic_list("We think a lot about Developer Tools, Generative AI, SaaS.") == [
        "Developer Tools", "Generative AI", "SaaS"]
    assert topic_list("Hiring: Customer Success Manager, Machine Learning Engineer") == []
    assert topic_list("Headquartered in Seattle, WA, USA.") == []
    assert topic_list("Sales: Bob Smith, Jane Doe") == []


def test_street_address_and_home_base_give_a_location():
    assert location_mentions("Our home base is Paris, Île-de-France, France.")[0][0].startswith("Paris")
    from tools.extract.geo import address_lines
    assert address_lines("Mentra, 430 Market Street, San Francisco, CA, USA") == [
        "Mentra, 430 Market Street, San Francisco, CA, USA"]
    assert address_lines("We serve 400 Happy Customers in London") == []


def test_team_of_one_and_ranges_from_one():
    assert team_size_in("We're 1 people and growing.") == (1, "We're 1 people and growing.")
    assert team_size_in("Company size: 1-5 people.")[0] == 3
    assert team_size_in("We are 1 of the best teams") is None
