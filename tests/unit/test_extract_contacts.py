"""Contacts: people from cards/tables/lists/JSON-LD, obfuscated e-mails, role inboxes, guesses, foreign domains."""

from pathlib import Path

from tools.extract.contacts import extract_contacts
from tools.extract.emails import decode_cloudflare, find_emails, guess_email, pattern_of

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def _by_name(contacts):
    return {c.name: c for c in contacts if c.name}


def test_card_layout_mailto_bracket_obfuscation_and_guess():
    html = (PAGES / "northwind" / "team.html").read_text()
    contacts = extract_contacts({"https://northwind-labs.io/team": html}, "northwind-labs.io")
    people = _by_name(contacts)
    assert people["Ana Pereira"].title == "Co-founder & CEO"
    assert people["Ana Pereira"].email == "ana.pereira@northwind-labs.io"
    assert people["Ana Pereira"].email_status == "found"
    assert people["Li Wei"].email == "li.wei@northwind-labs.io"
    marcus = people["Marcus Johnson"]
    assert marcus.title == "VP of Sales"
    assert marcus.email == "marcus.johnson@northwind-labs.io"
    assert marcus.email_status == "guessed" and 0 < marcus.confidence < 1
    press = [c for c in contacts if c.email == "press@northwind-labs.io"]
    assert press and press[0].email_status == "role" and press[0].name is None
    assert not any("exfil-example" in (c.email or "") for c in contacts)


def test_table_list_jsonld_entities_cloudflare_and_planted_foreign_addresses():
    html = (PAGES / "misc" / "team_table.html").read_text()
    contacts = extract_contacts({"https://www.harborline.com/leadership": html}, "harborline.com")
    people = _by_name(contacts)
    assert people["Samuel Okafor"].title == "Chief Executive Officer"
    assert people["Samuel Okafor"].email == "sokafor@harborline.com"  # entity-encoded mailto
    assert people["Priya Raman"].email == "praman@harborline.com"  # (at) obfuscation
    assert people["Grace O'Neill"].email == "gonei@harborline.com"  # JSON-LD Person
    assert people["Hannah Kim"].title == "Marketing Manager"
    assert people["Diego Alvarez"].email_status == "guessed"
    assert people["Diego Alvarez"].email == "dalvarez@harborline.com"  # flast, learnt from found ones
    hello = [c for c in contacts if c.email == "hello@harborline.com"]
    assert hello and hello[0].email_status == "role"  # Cloudflare-protected
    emails = {c.email for c in contacts}
    assert "ops@partner-shipping.com" not in emails
    assert "ceo@harborline-payments.net" not in emails


def test_german_impressum_title_before_name_and_entity_at():
    html = (PAGES / "misc" / "impressum_de.html").read_text()
    contacts = extract_contacts({"https://kieler-robotik.de/impressum": html}, "kieler-robotik.de")
    people = _by_name(contacts)
    assert people["Jonas Petersen"].title == "Geschäftsführer"
    assert people["Jonas Petersen"].email == "j.petersen@kieler-robotik.de"
    assert any(c.email == "info@kieler-robotik.de" and c.email_status == "role" for c in contacts)


def test_no_guess_without_a_known_personal_address():
    html = "<h3>Jane Doe</h3><p>Founder</p><p>Write to hello@acme.io</p>"
    contacts = extract_contacts({"https://acme.io/team": html}, "acme.io")
    jane = _by_name(contacts)["Jane Doe"]
    assert jane.email is None and jane.email_status is None


def test_obfuscations():
    text = "Mail: jane [at] acme [dot] com, bob(at)acme.com, or email tom at acme dot com"
    assert find_emails(text) == ["jane@acme.com", "bob@acme.com", "tom@acme.com"]
    assert find_emails("We meet at noon dot five") == []
    assert find_emails("logo@2x.png") == []
    encoded = bytes([0x10] + [b ^ 0x10 for b in b"a@b.io"]).hex()
    assert decode_cloudflare(encoded) == "a@b.io"


def test_patterns_and_guess_confidence():
    assert pattern_of("Jane Doe", "jane.doe@x.com") == "first.last"
    assert pattern_of("José Núñez", "jnunez@x.com") == "flast"
    assert pattern_of("Dr. Jane K. Doe", "janed@x.com") == "firstl"
    assert pattern_of("Jane Doe", "bob@x.com") is None
    one = guess_email("Bob Smith", "acme.com", ["jane.doe@acme.com"], ["Jane Doe"])
    two = guess_email("Bob Smith", "acme.com", ["jane.doe@acme.com", "tom.lee@acme.com"], ["Jane Doe", "Tom Lee"])
    assert one[0] == two[0] == "bob.smith@acme.com"
    assert 0 < one[1] < two[1] < 1
    assert guess_email("Bob Smith", "acme.com", ["hello@acme.com", "x.y@other.com"]) is None
