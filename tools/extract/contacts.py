"""People and addresses on a company's pages: names with titles, their e-mails, role inboxes, guesses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.models import Contact
from tools.extract import jsonld
from tools.extract.domains import email_on_domain
from tools.extract.emails import find_emails, guess_email, is_role, pattern_of, reveal_protected
from tools.extract.visible import tree_text, visible_tree

TITLE_WORDS = re.compile(
    r"\b(ceo|cto|cfo|coo|cmo|cpo|cro|cio|ciso|vp|svp|evp|founder|co-?founder|cofounder|president|chair(man|woman|person)?|"
    r"head\s+of|vice\s+president|director|manager|engineer|lead|principal|partner|owner|designer|developer|"
    r"scientist|officer|chief|advisor|adviser|architect|analyst|recruiter|counsel|specialist|consultant|"
    r"executive|associate|coordinator|administrator|board\s+member|managing|product|marketing|sales|operations|"
    r"geschäftsführer(in)?|gründer(in)?|leiter(in)?|inhaber(in)?|vorstand|directeur|directrice|fondat(eur|rice)|"
    r"gérant(e)?|responsable|ingénieur(e)?|président(e)?)\b",
    re.I,
)
_NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?|[A-Z]\.|Mc[A-Z][a-z]+|O['’][A-Z][a-z]+)$")
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "bin", "al", "ten", "zu"}
_NOT_NAME = {
    "team", "our", "the", "about", "contact", "us", "meet", "company", "blog", "news", "careers", "jobs",
    "privacy", "policy", "terms", "home", "pricing", "services", "solutions", "read", "more", "learn", "get",
    "started", "sign", "login", "support", "help", "leadership", "board", "advisors", "investors", "office",
    "headquarters", "street", "road", "inc", "ltd", "gmbh", "llc", "open", "roles", "positions", "view",
    "all", "join", "apply", "now", "new", "york", "san", "francisco", "email", "phone", "linkedin", "twitter",
    "github", "follow", "subscribe", "book", "demo", "request", "customers", "features", "product", "platform",
    "engineering", "design", "marketing", "sales", "operations", "people", "who", "we", "are", "what", "how",
    "why", "work", "with", "at", "in", "for", "and", "of", "to", "cookie", "settings", "copyright", "rights",
    "reserved", "menu", "search", "press", "media", "kit", "story", "mission", "values", "culture", "founders",
}
_SEPARATORS = re.compile(r"\s*(?:\||—|–|\s-\s|,|:|·|•)\s*")
_MAILTO = re.compile(r"\s?<([^<>\s]+@[^<>\s]+)>\s?")


def is_person_name(text: str) -> bool:
    words = text.strip().split()
    if not (2 <= len(words) <= 4) or len(text) > 40:
        return False
    if any(w.lower().strip(".,") in _NOT_NAME for w in words) or TITLE_WORDS.search(text):
        return False
    named = [w for w in words if w.lower() not in _PARTICLES]
    return len(named) >= 2 and all(_NAME_TOKEN.match(w) for w in named) and words[0].lower() not in _PARTICLES


def is_job_title(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 80 and len(text.split()) <= 10 and bool(TITLE_WORDS.search(text)) and "@" not in text \
        and not text.endswith((".", "!", "?"))


@dataclass
class _Person:
    name: str
    title: str | None
    line: int
    emails: list[str] = field(default_factory=list)


def _people_in_lines(lines: list[str]) -> list[_Person]:
    people: list[_Person] = []
    for i, raw in enumerate(lines):
        line = _MAILTO.sub(" ", raw).strip()
        parts = [p for p in _SEPARATORS.split(line) if p]
        if len(parts) >= 2 and is_person_name(parts[0]) and is_job_title(parts[1]):
            title = parts[1] if len(parts) == 2 or not is_job_title(parts[2]) else f"{parts[1]}, {parts[2]}"
            people.append(_Person(parts[0], title, i))
        elif len(parts) >= 2 and is_job_title(parts[0]) and is_person_name(parts[1]) and ":" in line:
            people.append(_Person(parts[1], parts[0], i))  # "Geschäftsführer: Max Muster"
        elif is_person_name(line):
            title = None
            for nxt in lines[i + 1 : i + 3]:
                candidate = _MAILTO.sub(" ", nxt).strip()
                if is_person_name(candidate):
                    break
                if is_job_title(candidate):
                    title = candidate
                    break
            if title:
                people.append(_Person(line, title, i))
    return people


def _attach(people: list[_Person], found: list[tuple[int, str]]) -> list[str]:
    """Give each person the address that matches their name, else the one right under them; return the rest."""
    rest: list[str] = []
    for line_no, email in found:
        owner = next((p for p in people if pattern_of(p.name, email)), None)
        if owner is None and not is_role(email):
            for k, person in enumerate(people):
                end = people[k + 1].line if k + 1 < len(people) else person.line + 4
                if person.line <= line_no < min(end, person.line + 4) and not person.emails:
                    owner = person
                    break
        if owner is not None:
            owner.emails.append(email)
        elif email not in rest:
            rest.append(email)
    return rest


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def extract_contacts(pages: dict[str, str], domain: str) -> list[Contact]:
    """Contacts on the site; only addresses on ``domain``'s registrable domain are kept."""
    by_name: dict[str, Contact] = {}
    inboxes: dict[str, Contact] = {}
    for url, html in pages.items():
        html = reveal_protected(html or "")
        lines = tree_text(visible_tree(html), mailto=True).split("\n")
        found = [(i, e) for i, line in enumerate(lines) for e in find_emails(line) if email_on_domain(e, domain)]
        people = _people_in_lines(lines)
        for info in jsonld.persons(jsonld.jsonld_items(html)):
            person = _Person(info.name, info.job_title, -10)
            if info.email and email_on_domain(info.email, domain):
                person.emails.append(info.email.lower())
            people.append(person)
        leftover = _attach([p for p in people if p.line >= 0], found)
        for person in people:
            contact = by_name.setdefault(_key(person.name), Contact(name=person.name, source_url=url))
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
