"""Contacts on pages built the way real site builders build them (WordPress/Elementor, Webflow, Squarespace,
Framer, Tailwind/Next.js, a German Impressum, a contact page full of obfuscations): who is staff, their
titles, every common way of writing an address, and what must never become a contact."""

from pathlib import Path

import pytest

from tools.extract.contacts import extract_contacts
from tools.extract.emails import could_be_for, find_emails, is_placeholder, is_role

PAGES = Path(__file__).parent.parent / "fixtures" / "pages" / "extract_general"


def _contacts(name: str, url: str, domain: str):
    return extract_contacts({url: (PAGES / name).read_text()}, domain)


def _people(contacts) -> dict:
    return {c.name: c for c in contacts if c.name}


def _inboxes(contacts) -> dict:
    return {c.email: c for c in contacts if not c.name}


def test_elementor_team_cloudflare_entities_honorific_and_testimonial():
    contacts = _contacts("wp_elementor_team.html", "https://tidewell.co.uk/our-team/", "tidewell.co.uk")
    people = _people(contacts)
    assert set(people) == {"Rhys Morgan", "Orla Byrne", "Dr. Amara Nwosu", "Fiona Clarke"}  # not the client quoted
    assert people["Rhys Morgan"].title == "Managing Partner"
    assert people["Rhys Morgan"].email == "rhys.morgan@tidewell.co.uk"  # /cdn-cgi/l/email-protection#hex
    assert people["Rhys Morgan"].email_status == "found"
    assert people["Orla Byrne"].email == "orla.byrne@tidewell.co.uk"  # &#111;&#114;... entity-encoded mailto
    assert people["Fiona Clarke"].email == "fiona.clarke@tidewell.co.uk"  # data-cfemail span
    amara = people["Dr. Amara Nwosu"]
    assert amara.title == "Head of Research"
    assert amara.email == "amara.nwosu@tidewell.co.uk" and amara.email_status == "guessed"
    assert 0 < amara.confidence < 1
    hello = _inboxes(contacts)["hello@tidewell.co.uk"]
    assert hello.email_status == "role"
    assert not any("moreno" in (c.email or "") for c in contacts)
    assert not any("@2x" in (c.email or "") for c in contacts)


def test_webflow_cards_with_title_above_name_spelled_out_email_and_conditional_visibility():
    contacts = _contacts("webflow_team.html", "https://www.lumenstack.io/team", "lumenstack.io")
    people = _people(contacts)
    assert {n: p.title for n, p in people.items()} == {
        "Sanne de Vries": "CEO & Co-founder",
        "Pieter Bakker": "CTO & Co-founder",
        "Inês Carvalho": "VP Customer Success",
        "Tom Hendriks": "Head of Data Science",
    }
    assert people["Pieter Bakker"].email == "pieter@lumenstack.io"  # "pieter at lumenstack dot io"
    assert people["Pieter Bakker"].email_status == "found"
    # Webflow's w-condition-invisible hides the old address; it must not be found (nor be on this domain).
    assert all(c.email != "sanne@lumenstack-old.com" for c in contacts)
    assert people["Sanne de Vries"].email_status == "guessed"
    assert _inboxes(contacts)["hello@lumenstack.io"].email_status == "role"


def test_squarespace_captions_parentheses_entities_and_pull_quote():
    contacts = _contacts("squarespace_about.html", "https://www.fernhillstudio.com/about", "fernhillstudio.com")
    people = _people(contacts)
    assert {n: p.title for n, p in people.items()} == {
        "Olivia Hart": "Founder & Creative Director",  # <strong>name</strong><br>title
        "Marcus Bell": "Lead Designer",  # "Name – Title"
        "Hana Sato": "Studio Manager",  # "Name (Title)"
    }
    assert people["Olivia Hart"].email == "olivia.hart@fernhillstudio.com"
    assert people["Olivia Hart"].email_status == "found"
    assert people["Marcus Bell"].email == "marcus.bell@fernhillstudio.com"
    assert people["Marcus Bell"].email_status == "guessed"
    inboxes = _inboxes(contacts)
    assert set(inboxes) == {"studio@fernhillstudio.com"}  # written as &#115;&#116;... in the text
    assert inboxes["studio@fernhillstudio.com"].email_status == "role"
    emails = {c.email for c in contacts}
    assert "owner@fernhill-private.com" not in emails  # only in a script's JSON
    assert not any("example.com" in (e or "") for e in emails)


def test_jsonld_people_and_contact_point_but_not_reviewers():
    contacts = _contacts("nextjs_jsonld_graph.html", "https://www.kestrelfreight.com/", "kestrelfreight.com")
    people = _people(contacts)
    assert set(people) == {"Eva Visser", "Daan Mulder"}  # Jan Jansen wrote a review: he is a customer
    assert people["Daan Mulder"].email == "daan.mulder@kestrelfreight.com"
    assert people["Daan Mulder"].email_status == "found"
    assert people["Eva Visser"].title == "Chief Executive Officer"
    assert people["Eva Visser"].email == "eva.visser@kestrelfreight.com"
    assert people["Eva Visser"].email_status == "guessed"
    assert _inboxes(contacts)["sales@kestrelfreight.com"].email_status == "role"  # ContactPoint
    assert all(c.email != "eva@kestrelfreight.com" for c in contacts)  # only in __NEXT_DATA__


def test_impressum_several_managing_directors_honeypot_and_punkt():
    contacts = _contacts("impressum_gmbh_berlin.html", "https://www.nordlicht-daten.de/impressum", "nordlicht-daten.de")
    people = _people(contacts)
    assert {n: p.title for n, p in people.items()} == {
        "Dr. Anna Schmidt": "Geschäftsführer", "Lukas Weber": "Geschäftsführer",
    }
    inboxes = _inboxes(contacts)
    assert set(inboxes) == {"kontakt@nordlicht-daten.de", "datenschutz@nordlicht-daten.de"}
    assert all(c.email_status == "role" for c in inboxes.values())
    assert "falle@nordlicht-daten.de" not in {c.email for c in contacts}  # display:none spam trap


def test_contact_page_obfuscations_and_false_positives():
    contacts = _contacts("uk_contact_obfuscated.html", "https://www.ashgrove.co.uk/contact", "ashgrove.co.uk")
    assert set(_inboxes(contacts)) == {
        "hello@ashgrove.co.uk",  # hello [at] ashgrove [dot] co [dot] uk
        "press@ashgrove.co.uk",  # press at ashgrove dot co dot uk
        "careers@ashgrove.co.uk",  # careers (at) ashgrove.co.uk
        "sales@ashgrove.co.uk",  # sales&#64;ashgrove&#46;co&#46;uk
        "accounts@ashgrove.co.uk",  # mailto:accounts%40...?subject=
        "jobs@ashgrove.co.uk",  # reversed text shown right way round by CSS bidi-override
    }
    emma = _people(contacts)["Emma Lewis"]
    assert emma.title == "Office Manager"
    assert emma.email == "emma.lewis@ashgrove.co.uk" and emma.email_status == "found"  # "emma dot lewis at ..."
    assert "trap@ashgrove.co.uk" not in {c.email for c in contacts}  # off-screen form honeypot


def test_tailwind_team_inline_spans_social_icons_and_testimonials():
    contacts = _contacts("tailwind_team_testimonials.html", "https://brindle.dev/team", "brindle.dev")
    people = _people(contacts)
    assert {n: p.title for n, p in people.items()} == {
        "Chloé Dubois": "Co-Founder / CEO",
        "Kwame Asante": "Co-Founder / CTO",
        "Sofia Lindqvist": "Head of Growth",  # two <span>s on one line
        "Mateo Rossi": "Senior iOS Engineer",
    }
    assert people["Chloé Dubois"].email == "chloe@brindle.dev"  # mailto behind an icon
    assert people["Chloé Dubois"].email_status == "found"
    assert people["Kwame Asante"].email == "kwame@brindle.dev"
    assert people["Kwame Asante"].email_status == "guessed"
    assert _inboxes(contacts)["team@brindle.dev"].email_status == "role"


def test_framer_responsive_copies_give_one_contact_each():
    contacts = _contacts("framer_about.html", "https://sentinal.io/about", "sentinal.io")
    assert [(c.name, c.title) for c in contacts if c.name] == [
        ("Noa Friedman", "Chief Executive Officer"), ("Ari Goldberg", "VP Engineering"),
    ]


def test_careers_and_news_pages_have_no_people():
    for name, url, domain in (
        ("careers_greenhouse.html", "https://quillpoint.com/careers", "quillpoint.com"),
        ("careers_lever_table.html", "https://harrowgate.ai/jobs", "harrowgate.ai"),
        ("blog_news_cards.html", "https://corvidhealth.com/news", "corvidhealth.com"),
        ("hidden_variants_home.html", "https://parcelwise.io/", "parcelwise.io"),
    ):
        people = [c.name for c in _contacts(name, url, domain) if c.name]
        assert people == [], (name, people)


def test_hidden_team_member_is_not_a_contact():
    contacts = _contacts("hidden_variants_home.html", "https://parcelwise.io/", "parcelwise.io")
    assert [c.email for c in contacts] == ["hello@parcelwise.io"]


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("jane [dot] doe [at] acme [dot] co [dot] uk", ["jane.doe@acme.co.uk"]),
        ("jane dot doe at acme dot com", ["jane.doe@acme.com"]),
        ("jane {at} acme {dot} io", ["jane@acme.io"]),
        ("jane AT acme DOT com", ["jane@acme.com"]),
        ("jane @ acme.com", ["jane@acme.com"]),
        ("jane\uff20acme\uff0ecom", ["jane@acme.com"]),
        ("Find us at acme dot com", []),  # "us" is not a mailbox
        ("We meet at noon dot five", []),  # "five" is no public suffix
        ("@media (max-width: 600px) { .x { display: none } }", []),
        ("logo@2x.png hero@2x.webp icon@3x.avif bundle@1.2.3.min.js", []),
        ("npm i react@18.2.0 next@14.1.3", []),
        ("e.g. you@company.com or name@example.com or jane@yourdomain.com", []),
        ("Dr. Who at BBC dot nothing", []),
    ],
)
def test_find_emails_forms_and_false_positives(text, emails):
    assert find_emails(text) == emails


def test_placeholders_and_roles():
    assert is_placeholder("someone@example.org") and is_placeholder("first.last@acme.com")
    assert not is_placeholder("jane@acme.com") and not is_placeholder("hello@karoo.example")
    assert is_role("studio@acme.com") and is_role("datenschutz@acme.de") and is_role("sales+eu@acme.com")
    assert not is_role("jane.doe@acme.com")


def test_an_address_next_to_a_name_is_theirs_only_if_it_could_be():
    assert could_be_for("Ana Pereira", "anap@x.com")
    assert could_be_for("Ana Pereira", "a.pereira@x.com")
    assert could_be_for("Ana Pereira", "pereira@x.com")
    assert not could_be_for("Omar Raman", "lsato@x.com")
    assert not could_be_for("Clara Petrova", "nadia.osei@x.com")


def test_an_unrelated_address_under_a_person_stays_an_unnamed_address():
    html = "<h3>Omar Raman</h3><p>COO</p><p>lsato@acme.io</p>"
    contacts = extract_contacts({"https://acme.io/team": html}, "acme.io")
    omar = _people(contacts)["Omar Raman"]
    assert omar.email != "lsato@acme.io"
    assert any(c.email == "lsato@acme.io" and c.name is None and c.email_status == "found" for c in contacts)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<ul><li>Jane Doe (CTO)</li></ul>", [("Jane Doe", "CTO")]),
        ("<p>Jane Doe — CEO, Co-founder. Reach Jane at jane@acme.io.</p>", [("Jane Doe", "CEO, Co-founder")]),
        ("<table><tr><td>Jane Doe</td></tr><tr><td>Head of Sales</td><td>jane (at) acme.io</td></tr></table>",
         [("Jane Doe", "Head of Sales")]),
        ("<dl><dt>Jane Doe</dt><dd>Chief Operating Officer</dd><dt>Raj Patel</dt><dd>CFO</dd></dl>",
         [("Jane Doe", "Chief Operating Officer"), ("Raj Patel", "CFO")]),
        ("<p>Geschäftsführer: Prof. Dr. Eva Roth und Tim Berg</p>", [("Prof. Dr. Eva Roth", "Geschäftsführer"),
                                                                     ("Tim Berg", "Geschäftsführer")]),
        ("<h3>Customer Success</h3><p>Customer Success Manager (DACH)</p>", []),
        ("<h3>Introducing Atlas</h3><p>Product update: what's new in June 2025</p>", []),
        ("<p>Senior Mechanical Engineer</p><p>Machine Learning Engineer · Remote</p>", []),
        ("<blockquote>Great team!</blockquote><p>— Dana Whitley, VP Marketing at Initech</p>", []),
        ("<div class='review-card'><p>Dana Whitley</p><p>VP Marketing</p></div>", []),
        ("<div class=feature><h3>Smart Routing</h3><p>Product analytics for growth teams</p></div>", []),
        ("<div class=card><h4>Sarah Kim</h4><p>Software engineer</p></div>", [("Sarah Kim", "Software engineer")]),
    ],
)
def test_people_layouts(html, expected):
    contacts = extract_contacts({"https://acme.io/team": html}, "acme.io")
    assert [(c.name, c.title) for c in contacts if c.name] == expected
