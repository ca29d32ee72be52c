"""People and addresses on a company's pages: names with titles, their e-mails, role inboxes, guesses.

Only the company's own people become contacts: not its customers (quotes), investors, advisors or board.
"""

from __future__ import annotations

from core.models import Contact
from tools.extract import jsonld
from tools.extract.domains import email_on_domain
from tools.extract.emails import could_be_for, find_emails, guess_email, is_role, pattern_of
from tools.extract.people import (
    Person,
    drop_outsiders,
    drop_quotes,
    find_people,
    is_outsider_title,
    name_key,
    same_organisation,
    works_elsewhere,
)
from tools.extract.visible import tree_text, visible_tree


def _attach(people: list[Person], found: list[tuple[int, str]]) -> list[str]:
    """Give each person the address that matches their name, else the one right under them unless it
    plainly belongs to someone else; return the rest."""
    rest: list[str] = []
    for line_no, email in found:
        owner = next((p for p in people if pattern_of(p.name, email)), None)
        if owner is None and not is_role(email):
            for k, person in enumerate(people):
                end = people[k + 1].line if k + 1 < len(people) else person.line + 4
                near = person.line <= line_no < min(end, person.line + 4)
                if near and not person.emails and could_be_for(person.name, email):
                    owner = person
                    break
        if owner is not None:
            owner.emails.append(email)
        elif email not in rest:
            rest.append(email)
    return rest


def extract_contacts(pages: dict[str, str], domain: str) -> list[Contact]:
    """Contacts on the site; only addresses on ``domain``'s registrable domain are kept."""
    by_name: dict[str, Contact] = {}
    inboxes: dict[str, Contact] = {}
    for url, html in pages.items():
        tree = visible_tree(html or "")
        drop_quotes(tree)
        drop_outsiders(tree)
        lines = tree_text(tree, mailto=True).split("\n")
        found = [(i, e) for i, line in enumerate(lines) for e in find_emails(line) if email_on_domain(e, domain)]
        people = find_people(tree, lines)
        items = jsonld.jsonld_items(html or "")
        for info in jsonld.persons(items):
            if info.works_for and not same_organisation(info.works_for, domain):
                continue
            person = Person(info.name, info.job_title, -10)
            if info.email and email_on_domain(info.email, domain):
                person.emails.append(info.email.lower())
            people.append(person)
        # An organisation's own e-mail and ContactPoint addresses are inboxes, found like any other.
        found += [(-1, e.lower()) for org in jsonld.organizations(items) for e in org.emails if email_on_domain(e, domain)]
        people = [p for p in people if not is_outsider_title(p.title) and not works_elsewhere(p.title, domain)]
        leftover = _attach([p for p in people if p.line >= 0], found)
        for person in people:
            contact = by_name.setdefault(name_key(person.name), Contact(name=person.name, source_url=url))
            contact.title = contact.title or person.title
            if person.emails and (contact.email is None or contact.email_status != "found"):
                email = person.emails[0]
                contact.email, contact.source_url = email, url
                contact.email_status, contact.confidence = ("role" if is_role(email) else "found"), 1.0
        for email in leftover:
            if any(c.email == email for c in by_name.values()) or email in inboxes:
                continue
            inboxes[email] = Contact(
                email=email, source_url=url, email_status="role" if is_role(email) else "found", confidence=1.0
            )
    people_contacts = list(by_name.values())
    known = [c.email for c in people_contacts if c.email] + list(inboxes)
    names = [c.name for c in people_contacts if c.name and c.email_status == "found"]
    for contact in people_contacts:
        if contact.email is None and contact.name:
            guess = guess_email(contact.name, domain, known, names)
            if guess:
                contact.email, contact.confidence = guess
                contact.email_status = "guessed"
    # Inboxes and unmatched personal addresses stay as unnamed contacts, unless a person already has them.
    taken = {c.email for c in people_contacts if c.email_status in ("found", "role")}
    return people_contacts + [c for c in inboxes.values() if c.email not in taken]
