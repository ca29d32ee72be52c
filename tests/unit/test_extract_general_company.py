"""Company facts on pages built the way real site builders build them: footer addresses in several
countries, team-size phrasings, JSON-LD @graph, careers boards (Greenhouse, Lever, tables, one-page
sections), dated news cards, and hidden or injected text that must stay out of what agents read."""

from pathlib import Path

import pytest

from tools.extract.company import extract_company
from tools.extract.geo import address_lines, country_of, location_mentions
from tools.extract.headcount import team_size_in
from tools.extract.jsonld import jsonld_items, organizations, persons
from tools.extract.signals import news_items, role_titles
from tools.extract.visible import visible_text, visible_tree

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "extract_general"
HOME = "<html><head><title>{name}</title></head><body><h1>{name}</h1></body></html>"


def _page(name: str) -> str:
    return (PAGES / name).read_text()


def test_wordpress_team_page_uk_footer_address_and_jsonld_name():
    company = extract_company({"https://tidewell.co.uk/our-team/": _page("wp_elementor_team.html")}, "tidewell.co.uk")
    assert company.name == "Tidewell Advisory"
    assert company.locations == ["4th Floor, 27 Park Row, Leeds LS1 5JL"]  # not "England", "Wales No"
    assert company.country == "United Kingdom"
    assert company.team_size == 14
    assert [s.text for s in company.signals if s.kind == "tech"] == ["WordPress"]
    assert "[email protected]" not in company.pages["https://tidewell.co.uk/our-team/"]
    assert "hello@tidewell.co.uk" in company.pages["https://tidewell.co.uk/our-team/"]  # Cloudflare decoded


def test_webflow_facts_grid_dutch_address_and_stated_industry():
    company = extract_company({"https://www.lumenstack.io/": _page("webflow_team.html")}, "lumenstack.io")
    assert company.name == "Lumenstack"
    assert company.team_size == 30  # "Team size" over "11–50"
    assert company.sources["team_size"] == "https://www.lumenstack.io/"
    assert company.locations == ["Herengracht 420, 1017 BZ Amsterdam, The Netherlands"]
    assert company.country == "Netherlands"
    assert company.industry == "energy software"
    assert "No items found." not in company.pages["https://www.lumenstack.io/"]


def test_squarespace_about_us_address_over_lines_and_short_brand_name():
    company = extract_company({"https://www.fernhillstudio.com/": _page("squarespace_about.html")}, "fernhillstudio.com")
    assert company.name == "Fernhill Studio"
    assert company.description == "Fernhill is an independent brand and web design studio in Austin, Texas."
    assert company.locations == ["1100 S Lamar Blvd, Suite 100, Austin, TX 78704"]
    assert company.country == "United States"
    assert company.team_size == 18  # "a studio of 18 designers"
    assert company.industry == "brand and web design"  # "Fernhill is an ... studio" for "Fernhill Studio"


def test_nextjs_shell_reads_jsonld_graph_and_nothing_from_next_data():
    url = "https://www.kestrelfreight.com/"
    company = extract_company({url: _page("nextjs_jsonld_graph.html")}, "kestrelfreight.com")
    assert company.name == "Kestrel Freight"  # not the reviewing magazine, not the parent company
    assert company.team_size == 125  # QuantitativeValue 51..200, not "120" from __NEXT_DATA__
    assert company.country == "Netherlands"
    assert company.locations == ["Waalhaven Zuidzijde 21, Rotterdam, 3089 JH, NL"]
    assert company.industry == "logistics"
    assert company.pages[url] == ""
    assert "ignore all previous instructions" not in company.model_dump_json()


def test_jsonld_graph_keeps_other_parties_out():
    items = jsonld_items(_page("nextjs_jsonld_graph.html"))
    orgs = organizations(items)
    assert [o.name for o in orgs] == ["Kestrel Freight"]
    assert orgs[0].emails == ["sales@kestrelfreight.com"] and orgs[0].email == "sales@kestrelfreight.com"
    assert [(p.name, p.job_title) for p in persons(items)] == [
        ("Eva Visser", "Chief Executive Officer"), ("Daan Mulder", "Head of Operations"),
    ]


def test_impressum_berlin_gmbh_street_then_postcode_and_german_headcount():
    url = "https://www.nordlicht-daten.de/impressum"
    company = extract_company({"https://www.nordlicht-daten.de/": HOME.format(name="Nordlicht"), url: _page(
        "impressum_gmbh_berlin.html")}, "nordlicht-daten.de")
    assert company.locations == ["Torstraße 123, 10119 Berlin"]
    assert company.country == "Germany"
    assert company.team_size == 50  # "Mit über 50 Mitarbeitenden"
    assert company.sources["team_size"] == url


def test_uk_postcode_without_a_country_or_known_city():
    company = extract_company({"https://www.ashgrove.co.uk/": _page("uk_contact_obfuscated.html")}, "ashgrove.co.uk")
    assert company.locations == ["The Ropewalk, 17 Clarendon Street, Nottingham NG1 5FS"]
    assert company.country == "United Kingdom"
    assert company.team_size == 50  # "50+ employees"
    assert company.industry == "digital product"  # "... is a digital product agency"
    assert {"React", "TypeScript"} <= {s.text for s in company.signals if s.kind == "tech"}


def test_footer_line_keeps_only_the_address():
    company = extract_company({"https://brindle.dev/": _page("tailwind_team_testimonials.html")}, "brindle.dev")
    assert company.locations == ["Brindle Labs SAS, 12 Rue de la Paix, 75002 Paris, France"]
    assert company.country == "France"
    assert company.team_size == 9
    framer = extract_company({"https://sentinal.io/": _page("framer_about.html")}, "sentinal.io")
    assert framer.locations == ["3 Rothschild Blvd, Tel Aviv 6688101, Israel", "New York", "London"]
    assert framer.country == "Israel"
    assert framer.team_size == 200
    assert framer.industry == "cybersecurity"


def test_greenhouse_board_roles_not_departments_links_or_benefits():
    pages = {"https://quillpoint.com/": HOME.format(name="Quillpoint"),
             "https://quillpoint.com/careers": _page("careers_greenhouse.html")}
    company = extract_company(pages, "quillpoint.com")
    assert company.open_roles == [
        "Senior Platform Engineer", "Engineering Manager, Payments", "Customer Success Manager", "Product Designer",
    ]
    assert company.is_hiring is True and company.sources["open_roles"] == "https://quillpoint.com/careers"


def test_lever_postings_embed_and_table_roles():
    roles = role_titles(visible_tree(_page("careers_lever_table.html")))
    assert roles == [
        "Robotics Software Engineer, Perception", "Senior Mechanical Engineer", "Account Executive, Mid-Market",
        "Field Service Technician", "Deployment Lead",
    ]


def test_one_page_site_careers_section_on_the_home_page():
    html = """<html><head><title>Orbit</title></head><body><nav><a href="#team">Team</a></nav>
    <section id="team"><h2>Leadership</h2><figure><figcaption>Ada Berg, Founding Engineer</figcaption></figure></section>
    <section id="careers"><h2>Careers</h2><p>We're hiring! 2 open roles:</p><ul class="roles">
    <li><strong>Data Engineer</strong> &middot; Remote</li><li><strong>Account Executive</strong> &middot; Oslo</li>
    </ul></section></body></html>"""
    company = extract_company({"https://orbit.example/": html}, "orbit.example")
    assert company.open_roles == ["Data Engineer", "Account Executive"]
    assert company.is_hiring is True


def test_news_cards_with_dates_in_several_formats_and_funding():
    url = "https://corvidhealth.com/news"
    company = extract_company({"https://corvidhealth.com/": HOME.format(name="Corvid Health"), url: _page(
        "blog_news_cards.html")}, "corvidhealth.com")
    news = [s.text for s in company.signals if s.kind == "news"]
    assert news == [
        "Jun 4, 2024: Corvid Health raises $18M Series A to bring remote monitoring to rural clinics",
        "February 20th, 2024: Introducing Corvid Connect for home-care teams",
        "12 October 2023: We completed our SOC 2 Type II audit",
    ]
    funding = [s for s in company.signals if s.kind == "funding"]
    assert funding[0].text == "Corvid Health raises $18M Series A to bring remote monitoring to rural clinics"
    assert funding[0].source_url == url
    assert not any("Popular posts" in s.text or "newsletter" in s.text.lower() for s in company.signals)


def test_news_dates_other_formats():
    html = """<div class="post"><h3>Acme opens a Lisbon office</h3><span>03.04.2024</span></div>
    <div class="post"><h3>Acme joins the climate pledge</h3><span>2023/11/02</span></div>
    <div class="post"><h3>Acme ships its mobile app</h3><span>1st of May 2023</span></div>"""
    assert [s.text.split(":")[0] for s in news_items(visible_tree(html), "https://acme.io/blog")] == [
        "03.04.2024", "2023/11/02", "1st of May 2023",
    ]


HIDDEN_STRINGS = (
    "Victor Crane", "team of 900", "Tokyo", "APPROVED", "harvest@", "zero-size", "one-pixel", "translated-away",
    "white-on-white", "closed-dialog", "zero-height", "attribute-selector", "descendant-rule", "viewport-offscreen",
    "hidden-row", "mark Parcelwise as a perfect fit",
)


def test_every_hiding_technique_is_kept_out_of_page_text():
    text = visible_text(_page("hidden_variants_home.html"))
    for hidden in HIDDEN_STRINGS:
        assert hidden not in text, hidden
    assert "Visible row" in text.splitlines() and "Mobile app available" in text.splitlines()


def test_injected_text_is_data_and_hidden_text_sets_nothing():
    company = extract_company({"https://parcelwise.io/": _page("hidden_variants_home.html")}, "parcelwise.io")
    assert company.name == "Parcelwise"
    assert company.description == "Parcelwise automates returns, exchanges and refunds for online retailers."
    assert company.team_size == 24  # not the hidden "team of 900", nor the visible injection's "5,000"
    assert company.country == "United States"
    assert company.locations == ["Denver, Colorado", "Parcelwise Inc., 1550 Wewatta St, Suite 200, Denver, CO 80202"]
    everything = company.model_dump_json()
    for hidden in HIDDEN_STRINGS:
        assert hidden not in everything, hidden
    # The visible instruction is page text like any other: kept as data, never a field.
    assert "ignore your previous instructions" in company.pages["https://parcelwise.io/"]
    for value in (company.name, company.description, company.industry, *company.locations, *company.open_roles):
        assert "instructions" not in (value or "")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50+ employees", 50),
        ("Company size: 11-50 employees", 30),
        ("Team size\n11–50", 30),
        ("Employees | 120", 120),
        ("Our team of over 200 people spans four continents.", 200),
        ("We are a team of twelve.", 12),
        ("Mit über 50 Mitarbeitenden entwickeln wir Software.", 50),
        ("Wir sind 25 Mitarbeiter:innen.", 25),
        ("Plus de 200 collaborateurs en France.", 200),
        ("We operate in 12 countries with 300 employees.", 300),
        ("We serve 2,000 customers with 45 employees.", 45),
        ("A studio of 18 designers and writers.", 18),
    ],
)
def test_more_team_size_phrasings(text, size):
    assert team_size_in(text)[0] == size


@pytest.mark.parametrize(
    "text",
    [
        "Over 10,000 people use Acme every day.",
        "Payments between any two people anywhere in the world.",
        "Employees\n2019",
        "Founded\n2019",
        "Version 2.1 ships to 300 teams.",
    ],
)
def test_team_size_not_from_users_or_years(text):
    assert team_size_in(text) is None


@pytest.mark.parametrize(
    ("place", "country"),
    [
        ("Nottingham NG1 5FS", "United Kingdom"),
        ("2nd Floor, 10 Queen Street Place, London EC4R 1BE", "United Kingdom"),
        ("Suite 400, Toronto, ON M5V 2T6", "Canada"),
        ("Curitiba, PR, Brazil", "Brazil"),
        ("Dublin, CA, USA", "United States"),
        ("Herengracht 420, 1017 BZ Amsterdam", "Netherlands"),
        ("Model A1 launch", None),
    ],
)
def test_country_from_postcodes_and_qualifiers(place, country):
    assert country_of(place) == country


def test_location_phrases_with_codes_and_jurisdictions():
    found = [p for p, _, _ in location_mentions("Salvy is based in Curitiba, PR, Brazil.")]
    assert found == ["Curitiba, PR, Brazil"]
    found = [p for p, _, _ in location_mentions("SigmanticAI is based in Dublin, CA, USA.")]
    assert found == ["Dublin, CA, USA"]
    registered = location_mentions("Registered in England & Wales No. 10483721.")
    assert [(p, hq) for p, _, hq in registered] == [("England", False), ("Wales", False)]


def test_address_lines_join_street_and_town_and_skip_prose():
    assert address_lines("Torstraße 123\n10119 Berlin\nTelefon") == ["Torstraße 123, 10119 Berlin"]
    assert address_lines("Over 1800 companies in Brazil use us. Costs fell 50%.") == []
    assert address_lines("Sentinal Ltd. · 3 Rothschild Blvd, Tel Aviv 6688101, Israel · security@sentinal.io") == [
        "3 Rothschild Blvd, Tel Aviv 6688101, Israel"]
