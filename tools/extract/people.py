"""Who works at a company, read off one page: names with job titles from cards, lists, tables and lines.

Quoted people (testimonials, reviews, pull quotes) are customers, not staff, and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tools.extract.visible import node_text

TITLE_WORDS = re.compile(
    r"\b(ceo|cto|cfo|coo|cmo|cpo|cro|cio|ciso|vp|svp|evp|founder|co-?founder|cofounder|president|chair(man|woman|person)?|"
    r"head\s+of|vice\s+president|director|manager|engineer|lead|principal|partner|owner|designer|developer|"
    r"scientist|officer|chief|advisor|adviser|architect|analyst|recruiter|counsel|specialist|consultant|"
    r"executive|associate|coordinator|administrator|board\s+member|managing|product|marketing|sales|operations|"
    r"technician|representative|intern|writer|editor|accountant|assistant|strategist|researcher|producer|"
    r"geschäftsführer(in)?|gründer(in)?|leiter(in)?|inhaber(in)?|vorstand|directeur|directrice|fondat(eur|rice)|"
    r"gérant(e)?|responsable|ingénieur(e)?|président(e)?)\b",
    re.I,
)
_NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?|[A-Z]\.|Mc[A-Z][a-z]+|O['’][A-Z][a-z]+)$")
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "le", "la", "bin", "al", "ten", "zu"}
# Courtesy and academic titles written before a name ("Dr. Amara Nwosu", "Prof. Dr. Anna Schmidt").
_HONORIFICS = {"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame", "dipl.-ing", "ing", "mag", "me", "mme"}
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
    "customer", "success", "service", "data", "science", "security", "legal", "finance", "growth", "research",
    "remote", "hybrid", "location", "locations", "position", "software", "digital", "agency", "studio", "group",
    "ventures", "capital", "labs", "systems", "global", "international", "partners", "resources", "human",
    "benefits", "perks", "life", "offices", "touch", "visit", "say", "hello", "featured", "senior", "junior",
    "mechanical", "electrical", "technical", "field", "account", "accounts", "business", "development",
    "introducing", "launching", "announcing", "welcome", "update", "updates",
}
_SEPARATORS = re.compile(r"\s*(?:\||—|–|\s-\s|,|:|·|•)\s*")
_MAILTO = re.compile(r"\s?<([^<>\s]+@[^<>\s]+)>\s?")
_PAREN_TITLE = re.compile(r"^(?P<name>[^()]{3,40}?)\s*\((?P<title>[^()]{2,60})\)$")
_NAME_LIST = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b)\s*")
# Words of a class or id that mark a quotation from someone outside the company.
_QUOTE_WORDS = {"testimonial", "testimonials", "review", "reviews", "quote", "quotes", "blockquote", "endorsement"}
_CARD_MAX_LINES = 8
_CARD_MAX_CHARS = 400


def _without_honorifics(words: list[str]) -> list[str]:
    while words and words[0].lower().rstrip(".") in _HONORIFICS and len(words) > 2:
        words = words[1:]
    return words


def is_person_name(text: str) -> bool:
    words = _without_honorifics(text.strip().split())
    if not (2 <= len(words) <= 4) or len(text) > 45:
        return False
    if any(w.lower().strip(".,") in _NOT_NAME for w in words) or TITLE_WORDS.search(" ".join(words)):
        return False
    named = [w for w in words if w.lower() not in _PARTICLES]
    return len(named) >= 2 and all(_NAME_TOKEN.match(w) for w in named) and words[0].lower() not in _PARTICLES


# Department words name a job only in a short title ("Sales", "Product Marketing"); in a longer line
# ("Product analytics for growth teams") a role noun must be there too.
_DEPARTMENT_WORDS = {"product", "marketing", "sales", "operations", "managing"}


def is_job_title(text: str) -> bool:
    text = text.strip()
    if not (0 < len(text) <= 80) or len(text.split()) > 10 or "@" in text or text.endswith((".", "!", "?")):
        return False
    words = {m.group(0).lower() for m in TITLE_WORDS.finditer(text)}
    return bool(words - _DEPARTMENT_WORDS) or (bool(words) and len(text.split()) <= 2)


def _title_for(name: str, title: str) -> bool:
    """``title`` can be ``name``'s job title: "Customer Success" is not a person with the title
    "Customer Success Manager", and "Product update: what's new in June 2025" is a headline."""
    if not is_job_title(title) or name.lower() in title.lower():
        return False
    return not re.search(r"\b(19|20)\d\d\b|:\s|\?", title)


@dataclass
class Person:
    name: str
    title: str | None
    line: int
    emails: list[str] = field(default_factory=list)


def drop_quotes(tree: LexborHTMLParser) -> None:
    """Remove testimonials, reviews and pull quotes (and their captions) from a cleaned tree, in place."""
    doomed: list[LexborNode] = list(tree.css("blockquote, q, [itemtype*='Review']"))
    doomed += [f for f in tree.css("figure") if f.css_first("blockquote") is not None]
    for node in tree.css("[class], [id]"):
        tokens = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}".lower()
        if _QUOTE_WORDS & set(re.split(r"[\s_-]+", tokens)):
            doomed.append(node)
    for node in doomed:
        if node.parent is not None:
            node.decompose()


def _paren_title(line: str) -> tuple[str, str] | None:
    """"Jane Doe (CTO)" -> ("Jane Doe", "CTO")."""
    if match := _PAREN_TITLE.match(line):
        name, title = match.group("name").strip(), match.group("title").strip()
        return (name, title) if is_person_name(name) and _title_for(name, title) else None
    return None


def _first_sentence(line: str) -> str:
    for match in re.finditer(r"(\S+)\.\s+(?=[A-Z])", line):
        word = match.group(1)
        if len(word) > 2 and word.lower() not in _HONORIFICS and not re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", word):
            return line[: match.start() + len(word)]
    return line


def _title_cell(line: str) -> str:
    """"Head of Sales | jane (at) acme.com" (a table row under the name row) -> "Head of Sales"."""
    cells = [c.strip() for c in line.split(" | ")]
    if len(cells) > 1 and is_job_title(cells[0]) and not any(is_job_title(c) for c in cells[1:]):
        return cells[0]
    return line


def people_in_lines(lines: list[str]) -> list[Person]:
    """People in the page's text lines: "Name, Title", "Name (Title)", "Title: Name, Name", or a name line
    with a title on one of the two lines under it."""
    people: list[Person] = []
    for i, raw in enumerate(lines):
        line = _MAILTO.sub(" ", raw).strip()
        if line.startswith(("—", "–", "― ", "- ", "~")):  # "— Dana Whitley, VP Marketing": a quote's attribution
            continue
        # "Jane Doe — CEO, Co-founder. Reach Jane at ...": the title ends with the first sentence.
        parts = [p for p in _SEPARATORS.split(_first_sentence(line)) if p]
        if len(parts) >= 2 and is_person_name(parts[0]) and _title_for(parts[0], parts[1]):
            title = parts[1] if len(parts) == 2 or not is_job_title(parts[2]) else f"{parts[1]}, {parts[2]}"
            people.append(Person(parts[0], title, i))
        elif len(parts) >= 2 and is_job_title(parts[0]) and ":" in line and (
            names := [n for p in parts[1:] for n in _NAME_LIST.split(p) if is_person_name(n)]
        ):
            people += [Person(n, parts[0], i) for n in names]  # "Geschäftsführer: Dr. Anna Schmidt, Lukas Weber"
        elif split := _paren_title(line):
            people.append(Person(split[0], split[1], i))
        elif is_person_name(line):
            title = None
            for nxt in lines[i + 1 : i + 3]:
                candidate = _title_cell(_MAILTO.sub(" ", nxt).strip())
                if is_person_name(candidate):
                    break
                if _title_for(line, candidate):
                    title = candidate
                    break
            if title:
                people.append(Person(line, title, i))
    return people


def _name_nodes(root: LexborNode) -> list[tuple[LexborNode, str]]:
    """Innermost elements whose whole text is a person's name."""
    found = []
    for node in root.traverse():
        if not node.is_element_node:
            continue
        text = " ".join(node.text(deep=True).split())
        if len(text) > 45 or not is_person_name(text):
            continue
        if any(child.is_element_node and " ".join(child.text(deep=True).split()) == text for child in node.iter()):
            continue
        found.append((node, text))
    return found


def _card_title(card: LexborNode, name: str) -> str | None:
    """The job-title line nearest the name line inside a card (before or after it; after wins a tie).

    The name is its own element, so a line "Jane Doe Head of Growth" (two inline elements) splits there.
    """
    lines = node_text(card).split("\n")
    at = next((k for k, line in enumerate(lines) if line == name or line.startswith(name + " ")), None)
    if at is None:
        return None
    rest = lines[at][len(name):].strip()
    if rest:
        return rest if rest[0].isupper() and _title_for(name, rest) else None
    cells = [_title_cell(line) for line in lines]
    options = [(abs(k - at), k < at, cell) for k, cell in enumerate(cells) if k != at and _title_for(name, cell)]
    return min(options)[2] if options else None


def people_in_cards(tree: LexborHTMLParser, lines: list[str]) -> list[Person]:
    """People laid out as cards: the largest element around a name that holds no other name (and is
    small) is the card, and its title line may sit above or below the name."""
    if tree.body is None:
        return []
    names = _name_nodes(tree.body)
    under: dict[int, int] = {}
    for node, _ in names:
        parent = node.parent
        while parent is not None:
            under[parent.mem_id] = under.get(parent.mem_id, 0) + 1
            parent = parent.parent
    # Where each name first appears in the page's lines, alone or leading its line.
    line_of: dict[str, int] = {}
    for k, text in enumerate(lines):
        words = _MAILTO.sub(" ", text).split()
        for n in range(2, min(len(words), 6) + 1):
            line_of.setdefault(" ".join(words[:n]), k)
    people: list[Person] = []
    for node, name in names:
        card, parent = node, node.parent
        while parent is not None and parent.tag not in ("body", "html", "main") and under[parent.mem_id] == 1:
            text = node_text(parent)
            if text.count("\n") >= _CARD_MAX_LINES or len(text) > _CARD_MAX_CHARS:
                break
            card, parent = parent, parent.parent
        title = _card_title(card, name)
        if title:
            people.append(Person(name, title, line_of.get(name, -1)))
    return people


def name_key(name: str) -> str:
    """The same person however the name is written: case, spacing and a leading "Dr." do not matter."""
    return " ".join(_without_honorifics(name.lower().split()))


def find_people(tree: LexborHTMLParser, lines: list[str]) -> list[Person]:
    """People on a cleaned page (see ``drop_quotes``) in page order; a card's title beats a line's."""
    found: dict[str, Person] = {}
    for person in people_in_lines(lines):
        found.setdefault(name_key(person.name), person)
    for person in people_in_cards(tree, lines):
        known = found.get(name_key(person.name))
        if known is None:
            found[name_key(person.name)] = person
        else:
            known.title = person.title
    return sorted(found.values(), key=lambda p: p.line)
