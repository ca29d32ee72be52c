"""JSON-LD: @graph, arrays, commented and trailing-comma blocks, employee ranges, addresses, people."""

from pathlib import Path

from tools.extract.jsonld import job_titles, jsonld_items, organizations, persons

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def test_graph_with_quantitative_value_and_postal_address():
    orgs = organizations(jsonld_items((PAGES / "northwind" / "about.html").read_text()))
    assert [o.name for o in orgs] == ["Northwind Labs"]
    org = orgs[0]
    assert org.employees == 35  # minValue 30, maxValue 40 -> midpoint
    assert org.addresses == ["500 Congress Ave, Austin, TX, 78701, US"]
    assert org.countries == ["US"]
    assert org.founding_date == "2019"
    assert "https://github.com/northwind" in org.same_as


def test_array_in_html_comment_with_trailing_comma_string_range_and_place():
    items = jsonld_items((PAGES / "misc" / "jsonld_variants.html").read_text())
    orgs = organizations(items)
    assert [o.name for o in orgs] == ["Solstice Grid", "Other Corp"]
    assert orgs[0].employees == 75  # "50-100"
    assert orgs[0].addresses == ["Lyon, France"] and orgs[0].countries == ["France"]
    assert orgs[0].email == "info@solsticegrid.com"
    assert orgs[1].employees == 250
    assert [(p.name, p.job_title) for p in persons(items)] == [("Camille Roux", "Fondatrice & CEO")]


def test_invalid_block_is_skipped_and_person_fields_read():
    items = jsonld_items((PAGES / "misc" / "team_table.html").read_text())
    people = persons(items)
    assert len(people) == 1
    assert people[0].email == "gonei@harborline.com"
    assert people[0].works_for == "Harborline Freight"


def test_job_postings():
    items = jsonld_items((PAGES / "northwind" / "careers.html").read_text())
    assert job_titles(items) == ["Developer Advocate"]


def test_an_authors_employer_is_not_the_sites_organization():
    html = """<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BlogPosting",
      "headline": "Why we moved to Rust", "author": {"@type": "Person", "name": "Dana Lee",
      "jobTitle": "Guest author", "worksFor": {"@type": "Organization", "name": "Other Corp",
      "numberOfEmployees": 5000, "address": {"@type": "PostalAddress", "addressCountry": "US"}}}}</script>"""
    items = jsonld_items(html)
    assert organizations(items) == []
    [author] = persons(items)
    assert author.works_for == "Other Corp"  # the name is still read off the person
