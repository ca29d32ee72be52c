"""Hosted job boards: finding them in real careers-page HTML, and reading their public APIs'
answers, shaped as each provider documents them (see the module docstring for where)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.models import Company
from tools.extract.job_boards import (
    MAX_BOARD_ROLES,
    BoardFormatError,
    Opening,
    add_openings,
    board_at,
    find_job_boards,
    parse_openings,
)

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "extract_general"

# developers.greenhouse.io/job-board.html, "List jobs" (grnhse/greenhouse-api-docs, _jobs.md)
GREENHOUSE = {
    "jobs": [
        {
            "id": 127817,
            "internal_job_id": 144381,
            "title": "Vault Designer",
            "updated_at": "2016-01-14T10:55:28-05:00",
            "requisition_id": "50",
            "location": {"name": "NYC"},
            "absolute_url": "https://boards.greenhouse.io/vaulttec/jobs/127817",
            "metadata": None,
        }
    ],
    "meta": {"total": 1},
}
# The same list "When ?content=true": description, departments and offices added.
GREENHOUSE_CONTENT = {
    "jobs": [
        {
            **GREENHOUSE["jobs"][0],
            "content": "This is the job description. &amp;lt;p&amp;gt;Any HTML included through the hosted "
                       "job application editor will be automatically converted into corresponding HTML "
                       "entities.&amp;lt;/p&amp;gt;",
            "departments": [{"id": 13583, "name": "Department of Departments", "parent_id": None,
                             "child_ids": [13585]}],
            "offices": [
                {"id": 8304, "name": "East Coast", "location": "United States", "parent_id": None,
                 "child_ids": [8787]},
                {"id": 8787, "name": "New York City", "location": "New York, NY, United States",
                 "parent_id": 8304, "child_ids": []},
            ],
        }
    ],
    "meta": {"total": 1},
}


def _lever_posting(text: str, location: str, posting_id: str) -> dict:
    """A posting with the fields github.com/lever/postings-api documents for JSON mode."""
    return {
        "id": posting_id,
        "text": text,
        "categories": {"location": location, "commitment": "Full-time", "team": "Engineering",
                       "department": "R&D"},
        "country": "US",
        "opening": "<div>Join us.</div>",
        "openingPlain": "Join us.",
        "description": "<div>Join us.</div><div>Build things.</div>",
        "descriptionPlain": "Join us.\nBuild things.",
        "descriptionBody": "<div>Build things.</div>",
        "descriptionBodyPlain": "Build things.",
        "lists": [{"text": "Requirements", "content": "<li>Curiosity</li>"}],
        "additional": "",
        "additionalPlain": "",
        "hostedUrl": f"https://jobs.lever.co/leverdemo/{posting_id}",
        "applyUrl": f"https://jobs.lever.co/leverdemo/{posting_id}/apply",
        "workplaceType": "hybrid",
        "salaryRange": {"currency": "USD", "interval": "per-year-salary", "min": 120000, "max": 150000},
    }


LEVER = [
    _lever_posting("Senior Backend Engineer", "San Francisco", "5ac21346-8e0c-4494-8e7a-3eb92ff77902"),
    _lever_posting("Account Executive", "Remote - US", "6bd32457-9f1d-45a5-9f8b-4fc03aa88013"),
]
# developers.ashbyhq.com/docs/public-job-posting-api, "Example" response (as published it lacks two
# commas, after "San Francisco" and after the secondaryLocations list; added here so it parses).
ASHBY = {
    "apiVersion": "1",
    "jobs": [
        {
            "title": "Product Manager",
            "location": "Houston, TX",
            "secondaryLocations": [
                {"location": "San Francisco",
                 "address": {"addressLocality": "San Francisco", "addressRegion": "California",
                             "addressCountry": "USA"}}
            ],
            "department": "Product",
            "team": "Growth",
            "isListed": True,
            "isRemote": True,
            "descriptionHtml": "<p>Join our team</p>",
            "descriptionPlain": "Join our team",
            "publishedAt": "2021-04-30T16:21:55.393+00:00",
            "employmentType": "FullTime",
            "address": {"postalAddress": {"addressLocality": "Houston", "addressRegion": "Texas",
                                          "addressCountry": "USA"}},
            "jobUrl": "https://jobs.ashbyhq.com/example_job",
            "applyUrl": "https://jobs.ashbyhq.com/example/apply",
        },
    ],
}
# workable.readme.io/reference/jobs-1 (api/accounts/:subdomain): top-level name, description, jobs.
WORKABLE = {
    "name": "Groove Tech",
    "description": "<p>We've all spent tons of hours trying to book a trip!</p>",
    "jobs": [
        {
            "title": "Finance Manager",
            "code": "UK/1/FM",
            "shortcode": "GROOV006",
            "country": "United Kingdom",
            "state": "London",
            "city": "London",
            "department": "Finance",
            "telecommuting": False,
            "published_on": "2019-04-07",
            "url": "https://groove-tech.workable.com/jobs/724378555",
            "application_url": "https://groove-tech.workable.com/jobs/724378555/candidates/new",
            "shortlink": "https://groove-tech.workable.com/j/GROOV006",
            "created_at": "2019-04-07",
            "employment_type": "Full-time",
            "industry": "Travel",
            "function": "Finance",
            "experience": "Mid-Senior level",
            "education": "Bachelor's Degree",
            "workplace_type": "on_site",
        },
        {
            "title": "Support Specialist", "code": "", "shortcode": "GROOV007", "country": "", "state": "",
            "city": "", "department": "Support", "telecommuting": True, "published_on": "2019-04-08",
            "url": "https://groove-tech.workable.com/jobs/724378556", "application_url": "",
            "shortlink": "https://groove-tech.workable.com/j/GROOV007", "workplace_type": "remote",
        },
    ],
}


# --- finding boards --------------------------------------------------------------------------

def test_greenhouse_embed_and_job_links_are_one_board():
    html = (PAGES / "careers_greenhouse.html").read_text()
    boards = find_job_boards(html, "https://quillpoint.com/careers")
    assert [(b.provider, b.token) for b in boards] == [("greenhouse", "quillpoint")]
    assert boards[0].api_url == "https://boards-api.greenhouse.io/v1/boards/quillpoint/jobs"
    assert boards[0].reference == "https://boards.greenhouse.io/embed/job_board/js?for=quillpoint"


def test_lever_job_links_name_the_site():
    html = (PAGES / "careers_lever_table.html").read_text()
    boards = find_job_boards(html, "https://harrowgate.com/careers")
    assert [(b.provider, b.token) for b in boards] == [("lever", "harrowgate")]
    assert boards[0].api_url == "https://api.lever.co/v0/postings/harrowgate?mode=json"


EMBEDS = """<html><body>
<h2>Open roles</h2>
<iframe id="grnhse_iframe" src="https://boards.greenhouse.io/embed/job_board?for=orbital&amp;b=https%3A%2F%2Forbital.dev%2Fjobs"></iframe>
<iframe id="postings-iframe" src="https://api.eu.lever.co/v0/postings/tessellate?mode=iframe&resize=https://tessellate.eu/resize.html"></iframe>
<div id="ashby_embed"></div><script src="https://jobs.ashbyhq.com/Northwind%20Labs/embed?version=2"></script>
<iframe data-src="//apply.workable.com/groove-tech/"></iframe>
<p>Our partners hire too: boards.greenhouse.io/notalink</p>
<a href="mailto:jobs@orbital.dev">jobs@orbital.dev</a>
</body></html>"""


def test_iframes_scripts_and_lazy_frames_in_page_order():
    boards = find_job_boards(EMBEDS, "https://orbital.dev/jobs")
    assert [(b.provider, b.token, b.api_url) for b in boards] == [
        ("greenhouse", "orbital", "https://boards-api.greenhouse.io/v1/boards/orbital/jobs"),
        ("lever", "tessellate", "https://api.eu.lever.co/v0/postings/tessellate?mode=json"),
        ("ashby", "Northwind Labs", "https://api.ashbyhq.com/posting-api/job-board/Northwind%20Labs"),
        ("workable", "groove-tech", "https://www.workable.com/api/accounts/groove-tech"),
    ]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://job-boards.greenhouse.io/acme/jobs/4012345", ("greenhouse", "acme")),
    ("https://job-boards.eu.greenhouse.io/acme", ("greenhouse", "acme")),
    ("https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345", ("greenhouse", "acme")),
    ("https://boards-api.greenhouse.io/v1/boards/acme/jobs", ("greenhouse", "acme")),
    ("http://jobs.lever.co/acme/", ("lever", "acme")),
    ("https://jobs.ashbyhq.com/acme/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9/application", ("ashby", "acme")),
    ("https://api.ashbyhq.com/posting-api/job-board/acme", ("ashby", "acme")),
    ("https://apply.workable.com/acme/j/ABC123/", ("workable", "acme")),
    ("https://acme.workable.com/jobs/724378555", ("workable", "acme")),
])
def test_board_urls(url, expected):
    board = board_at(url)
    assert board is not None and (board.provider, board.token) == expected


@pytest.mark.parametrize("url", [
    "https://boards.greenhouse.io/",  # no board named
    "https://boards.greenhouse.io/embed/job_board/js",  # embed without ?for=
    "https://www.greenhouse.com/careers",  # the provider's own site
    "https://boards.greenhouse.io.evil.example/acme",  # look-alike hosts
    "https://evil.example/boards.greenhouse.io/acme",
    "https://jobs.lever.co.evil.example/acme",
    "https://apply.workable.com/j/ABC123",  # a job short link names no account
    "https://www.workable.com/",
    "https://jobs.workable.com/search",
    "https://boards.greenhouse.io/..%2F..%2Fadmin",  # tokens are one plain path segment
    "https://jobs.lever.co/-acme",
    "ftp://jobs.lever.co/acme",
    "javascript:alert('jobs.lever.co/acme')",
])
def test_not_boards(url):
    assert board_at(url) is None


def test_the_api_url_is_built_from_the_token_never_from_the_reference():
    board = board_at("https://user:pw@jobs.lever.co:8443/acme?redirect=https://evil.example/")
    assert board is not None
    assert board.api_url == "https://api.lever.co/v0/postings/acme?mode=json"


# --- reading the APIs --------------------------------------------------------------------------

def test_greenhouse_documented_list():
    for answer in (GREENHOUSE, GREENHOUSE_CONTENT):
        assert parse_openings("greenhouse", json.dumps(answer)) == [Opening("Vault Designer", "NYC")]


def test_lever_documented_postings():
    assert parse_openings("lever", json.dumps(LEVER)) == [
        Opening("Senior Backend Engineer", "San Francisco"), Opening("Account Executive", "Remote - US"),
    ]


def test_ashby_documented_example_and_unlisted_jobs():
    unlisted = {**ASHBY["jobs"][0], "title": "Stealth Role", "isListed": False}
    remote_only = {**ASHBY["jobs"][0], "title": "Solutions Engineer", "location": None}
    answer = {**ASHBY, "jobs": [*ASHBY["jobs"], unlisted, remote_only]}
    assert parse_openings("ashby", json.dumps(answer)) == [
        Opening("Product Manager", "Houston, TX"), Opening("Solutions Engineer", "Remote"),
    ]


def test_workable_documented_keys():
    assert parse_openings("workable", json.dumps(WORKABLE)) == [
        Opening("Finance Manager", "London, United Kingdom"), Opening("Support Specialist", "Remote"),
    ]


def test_odd_items_are_skipped_and_repeats_dropped():
    jobs = [GREENHOUSE["jobs"][0], GREENHOUSE["jobs"][0], {"title": "  "}, {"title": 7}, "job", None,
            {"title": "Data   Engineer\n", "location": "Berlin"}]
    assert parse_openings("greenhouse", json.dumps({"jobs": jobs})) == [
        Opening("Vault Designer", "NYC"), Opening("Data Engineer", None),
    ]


@pytest.mark.parametrize(("provider", "body"), [
    ("greenhouse", "<html><body>Board not found</body></html>"),
    ("greenhouse", ""),
    ("greenhouse", json.dumps([GREENHOUSE["jobs"][0]])),  # a list, not {"jobs": [...]}
    ("lever", json.dumps({"postings": LEVER})),  # an envelope, not the documented array
    ("ashby", json.dumps({"apiVersion": "1", "jobs": None})),
    ("workable", json.dumps({"name": "Groove Tech"})),
    ("greenhouse", "[" * 100_000),  # too deep for the parser
])
def test_malformed_answers_raise_a_format_error(provider, body):
    with pytest.raises(BoardFormatError):
        parse_openings(provider, body)


# --- joining the site's facts ------------------------------------------------------------------

API = "https://api.lever.co/v0/postings/acme?mode=json"


def _board():
    board = board_at("https://jobs.lever.co/acme")
    assert board is not None
    return board


def test_roles_join_the_sites_without_repeats_and_cite_the_board():
    company = Company(domain="acme.io", name="Acme", open_roles=["Senior Backend Engineer"],
                      is_hiring=True, sources={"open_roles": "https://acme.io/careers",
                                               "is_hiring": "https://acme.io/careers"})
    add_openings(company, _board(), [Opening("senior backend engineer", "SF"), Opening("Account Executive")])
    assert company.open_roles == ["Senior Backend Engineer", "Account Executive"]
    assert company.sources == {"open_roles": "https://acme.io/careers", "is_hiring": "https://acme.io/careers"}
    signal = company.signals[-1]
    assert signal.kind == "hiring" and signal.source_url == API
    assert signal.text == "Hiring (Lever job board): senior backend engineer (SF), Account Executive"
    assert company.facts[-1].source_url == API
    # the listing is the cited page's text, so claims about the roles can be checked against it
    assert "Account Executive" in company.pages[API] and "Lever job board of Acme" in company.pages[API]


def test_board_roles_make_a_company_hiring_even_when_its_site_said_otherwise():
    company = Company(domain="acme.io", is_hiring=False, sources={"is_hiring": "https://acme.io/careers"})
    add_openings(company, _board(), [Opening("Data Engineer", "Berlin")])
    assert company.is_hiring is True and company.open_roles == ["Data Engineer"]
    assert company.sources == {"open_roles": API, "is_hiring": API}


def test_an_empty_board_changes_nothing():
    company = Company(domain="acme.io")
    add_openings(company, _board(), [])
    assert company == Company(domain="acme.io")


def test_a_huge_board_is_capped():
    company = Company(domain="acme.io")
    add_openings(company, _board(), [Opening(f"Engineer {i}") for i in range(500)])
    assert len(company.open_roles) == MAX_BOARD_ROLES
