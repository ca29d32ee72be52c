"""Only the company's own people become contacts: investors, advisors and board members listed on its
pages work elsewhere, and a quoted customer is no list item. Titles with abbreviations stay whole."""

from pathlib import Path

import pytest

from tools.extract.contacts import extract_contacts
from tools.extract.people import is_outsider_title, works_elsewhere

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "extract_general"


def _named(contacts) -> list[tuple[str | None, str | None]]:
    return [(c.name, c.title) for c in contacts if c.name]


def test_about_page_with_backers_advisors_and_board_keeps_only_the_team():
    html = (PAGES / "about_investors_advisors.html").read_text()
    contacts = extract_contacts({"https://quarrytrace.com/about": html}, "quarrytrace.com")
    assert _named(contacts) == [
        ("Maya Okonkwo", "Co-founder & CEO"),  # also listed on the board: still the CEO
        ("Daniel Ruiz", "Co-founder & Chair of the Board"),
        ("Priya Natarajan", "Sr. Engineer"),
        ("Tomasz Nowak", "Snr. Product Designer"),
        ("Leah Brooks", "Head of Operations"),  # "- Leah Brooks, Head of Operations": a plain list
        ("Omar Haddad", "Sr. Account Executive"),
    ]
    # Not the customer under a quotation, the "Backed by" cards (eyebrow + h2), the flat "Advisors" list,
    # the board list, nor the JSON-LD advisor and the partner whose worksFor is another firm.
    assert {c.email for c in contacts if not c.name} == {"hello@quarrytrace.com", "jobs@quarrytrace.com"}


def test_german_beirat_and_investoren_sections():
    html = (PAGES / "ueber_uns_beirat.html").read_text()
    contacts = extract_contacts({"https://feldmark-agrar.de/ueber-uns": html}, "feldmark-agrar.de")
    assert _named(contacts) == [("Katharina Vogel", "Geschäftsführerin"), ("Jonas Albrecht", "Leiter Entwicklung")]
    assert [c.email for c in contacts if not c.name] == ["info@feldmark-agrar.de"]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # by the section's class or id, whatever its heading says
        ("<section id='investors'><h2>Thank you</h2><div class=card><h3>Grace Liu</h3><p>Partner</p></div></section>"
         "<div class=card><h3>Jane Doe</h3><p>CEO</p></div>", [("Jane Doe", "CEO")]),
        ("<div class='advisor-card'><h4>Raj Patel</h4><p>CTO</p></div>", []),
        # by the nearest heading, with its rank: an h3 "Advisors" inside a team page
        ("<h2>Team</h2><div class=card><h3>Jane Doe</h3><p>CEO</p></div><h3>Advisors</h3>"
         "<div class=card><h3>Raj Patel</h3><p>Former CFO</p></div>", [("Jane Doe", "CEO")]),
        ("<h2>Investors</h2><h3>Northzone</h3><p>Raj Patel, Partner</p><h2>Team</h2><p>Jane Doe, CEO</p>",
         [("Jane Doe", "CEO")]),
        ("<h2>Notre équipe</h2><p>Claire Martin, Présidente</p><h2>Nos investisseurs</h2>"
         "<p>Paul Girard, Directeur associé</p>", [("Claire Martin", "Présidente")]),
        ("<h2>Conseil d'administration</h2><p>Luc Bernard, Président</p>", []),
        ("<h2>Board of Directors</h2><dl><dt>Ann Lee</dt><dd>Chairman</dd></dl>", []),
        ("<p><strong>Our backers</strong></p><p>Ann Lee, General Partner</p>", []),
        # the section ends with its <section>, and a footer is under no content heading
        ("<section><h2>Backed by</h2><p>Raj Patel, Partner</p></section><section><p>Jane Doe, CEO</p></section>",
         [("Jane Doe", "CEO")]),
        ("<h2>Investors</h2><p>Raj Patel, Partner</p><footer><p>Jane Doe, Office Manager</p></footer>",
         [("Jane Doe", "Office Manager")]),
        # headings that name the company's own people
        ("<h2>Our team &amp; advisors</h2><p>Jane Doe, CEO</p>", [("Jane Doe", "CEO")]),
        ("<h2>Investor relations</h2><p>Mia Wong, Head of Investor Relations</p>",
         [("Mia Wong", "Head of Investor Relations")]),
        # by title alone
        ("<ul><li>Jane Doe, CEO</li><li>Sam Ortiz, Angel investor</li><li>Nina Petrov, Board observer</li>"
         "<li>Alan Cho, Advisor</li><li>Grace Liu, Partner at Foundry Peak Ventures</li>"
         "<li>Ben Ode, Board member &amp; Investor</li><li>Tom Reed, Partner at Acme</li></ul>",
         [("Jane Doe", "CEO"), ("Tom Reed", "Partner at Acme")]),
    ],
)
def test_outsider_sections_and_titles(html, expected):
    contacts = extract_contacts({"https://acme.io/about": html}, "acme.io")
    assert _named(contacts) == expected


def test_outsider_titles_and_other_firms():
    assert is_outsider_title("Angel investor") and is_outsider_title("Board observer")
    assert is_outsider_title("Advisor") and is_outsider_title("Strategic advisor / Investor")
    assert not is_outsider_title("Co-founder & Chair of the Board")
    assert not is_outsider_title("Financial Advisor & Founder") and not is_outsider_title("Managing Partner")
    assert works_elsewhere("Partner at Sequoia Capital", "acme.io")
    assert works_elsewhere("VP Marketing @ Initech", "acme.io")
    assert not works_elsewhere("Head of Growth at Brindle Labs", "brindle.dev")
    assert not works_elsewhere("Managing Partner", "acme.io")


def test_jsonld_person_working_for_another_firm_is_not_a_contact():
    html = """<script type="application/ld+json">[
      {"@type": "Person", "name": "Grace Liu", "jobTitle": "Partner", "worksFor": {"name": "Foundry Peak"}},
      {"@type": "Person", "name": "Eva Visser", "jobTitle": "CEO", "worksFor": {"name": "Acme Robotics"}}
    ]</script>"""
    contacts = extract_contacts({"https://acme.io/": html}, "acme.io")
    assert _named(contacts) == [("Eva Visser", "CEO")]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Jane Doe, Sr. Engineer</p>", [("Jane Doe", "Sr. Engineer")]),
        ("<p>Jane Doe, Snr. Engineer</p>", [("Jane Doe", "Snr. Engineer")]),
        ("<p>Jane Doe — Assoc. Director of Sales. Reach Jane at jane@acme.io.</p>",
         [("Jane Doe", "Assoc. Director of Sales")]),
        ("<p>Jane Doe, Exec. Assistant</p>", [("Jane Doe", "Exec. Assistant")]),
        ("<p>Jane Doe — Head of Ops. Reach Jane at jane@acme.io.</p>", [("Jane Doe", "Head of Ops")]),
        ("<p>- Jane Doe, CEO<br>- Raj Patel, Sr. Engineer</p>", [("Jane Doe", "CEO"), ("Raj Patel", "Sr. Engineer")]),
        ("<ul><li>- Jane Doe, CEO</li></ul>", [("Jane Doe", "CEO")]),
        # a dash under a quotation is its attribution, whether the quote is marked up or only quoted
        ("<p>\u201cAcme halved our costs.\u201d</p><p>- Dana Whitley, VP Marketing</p>", []),
        ("<p>\"Acme halved our costs.\"<br>- Dana Whitley, VP Marketing</p>", []),
        ("<blockquote>Great team!</blockquote><p>- Dana Whitley, VP Marketing</p>", []),
        ("<blockquote>Great team!</blockquote><p>\u2014 Dana Whitley, VP Marketing</p>", []),
    ],
)
def test_title_abbreviations_and_dash_lists(html, expected):
    contacts = extract_contacts({"https://acme.io/team": html}, "acme.io")
    assert _named(contacts) == expected
