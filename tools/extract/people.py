"""Who works at a company, read off one page: names with job titles from cards, lists, tables and lines.

Quoted people (testimonials, reviews, pull quotes) are customers, not staff, and are left out; so are
people listed as the company's investors, advisors or board, who work somewhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tools.extract.domains import registrable_domain
from tools.extract.visible import class_words, node_text

TITLE_WORDS = re.compile(
    r"\b(ceo|cto|cfo|coo|cmo|cpo|cro|cio|ciso|vp|svp|evp|founder|co-?founder|cofounder|president|chair(man|woman|person)?|"
    r"head\s+of|vice\s+president|director|manager|engineer|lead|principal|partner|owner|designer|developer|"
    r"scientist|officer|chief|advisor|adviser|architect|analyst|recruiter|counsel|specialist|consultant|"
    r"executive|associate|coordinator|administrator|board\s+member|managing|product|marketing|sales|operations|"
    r"technician|representative|intern|writer|editor|accountant|assistant|strategist|researcher|producer|"
    r"geschäftsführer(in)?|gründer(in)?|leiter(in)?|inhaber(in)?|vorstand|directeur|directrice|fondat(eur|rice)|"
    r"gérant(e)?|responsable|ingénieur(e)?|président(e)?|mgr|dir|engr)\b",
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
# Abbreviations inside a job title ("Snr. Engineer", "Assoc. Director"): their period ends no sentence
# when more of the title follows.
_TITLE_ABBREVIATIONS = {
    "sr", "snr", "jr", "jnr", "sen", "assoc", "asst", "exec", "eng", "engr", "mgr", "dir", "dept", "mktg",
    "admin", "coord", "gen", "tech", "dev", "acct", "rep", "intl", "int'l", "govt", "ops", "st",
}
# A line that closes a quotation: the dash-led line under it is its attribution, not a list item.
_QUOTATION_END = re.compile(r"[\"”»“’]\s*$|^\s*[\"“„«]")
_ATTRIBUTION_START = ("—", "–", "―", "-", "~")
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
        if _QUOTE_WORDS & class_words(node):
            doomed.append(node)
    for node in list(doomed):
        sibling = node.next
        while sibling is not None and sibling.tag == "-text" and not (sibling.text() or "").strip():
            sibling = sibling.next
        if sibling is not None and sibling.is_element_node and sibling.text(deep=True).strip().startswith(
            _ATTRIBUTION_START
        ):
            doomed.append(sibling)  # "<blockquote>…</blockquote><p>- Dana Whitley, CEO</p>"
    for node in doomed:
        if node.parent is not None:
            node.decompose()


# Sections and titles of people who work elsewhere: investors, advisors, the board (a few languages).
_OUTSIDER_HEADING = re.compile(
    r"\b(?:investors?(?!\s+relations)|backers?|backed\s+by|funded\s+by|angels?|advisors?|advisers?|advisory|"
    r"board|mentors|investoren|geldgeber|beirat|aufsichtsrat|investisseurs?|conseil|comité\s+consultatif|"
    r"inversores|inversionistas|asesores|consejo|investeerders|adviesraad|raad\s+van\s+commissarissen)\b",
    re.I,
)
# Section words for the company's own people. A heading with both ("Team & Advisors") says neither.
_INSIDER_HEADING = re.compile(
    r"\b(?:teams?|leadership|leaders|founders|founding|management|executives|staff|people|employees|"
    r"relations|contacts?|équipe|fondateurs|direction|dirigeants|geschäftsführung|vorstand|mitarbeiter\w*|"
    r"equipo|fundadores)\b",
    re.I,
)
_OUTSIDER_CLASS_WORDS = {
    "investor", "investors", "backer", "backers", "angel", "angels", "advisor", "advisors", "adviser", "advisers",
    "advisory", "board", "investoren", "beirat", "investisseurs", "conseil",
}
_INSIDER_CLASS_WORDS = {"team", "leadership", "founders", "founder", "staff", "people", "management", "relations"}
_OUTSIDER_ROLE = re.compile(
    r"(?:(?:lead|seed|early|angel|strategic|technical|scientific|medical|clinical|industry|independent|senior|"
    r"special|business|venture|private|founding|non-executive)[\s-]+)*"
    r"(?:investor(?:in)?|angel|advisor|adviser|mentor|observer|board\s+(?:member|observer|director|advisor)|"
    r"member\s+of\s+the\s+(?:advisory\s+|supervisory\s+)?board|(?:non-executive|independent)\s+director|"
    r"beiratsmitglied|mitglied\s+des\s+(?:beirats|aufsichtsrats)|investisseur|administrat(?:eur|rice))",
    re.I,
)
_ROLE_JOINERS = re.compile(r"\s*(?:&|/|,|\+|\band\b|\bund\b|\bet\b)\s*", re.I)
# A heading is in force until the next heading of its rank or above, or the end of its sectioning element;
# a page's footer and navigation are under no heading of the content before them.
_SECTION_SCOPES = {"section", "article", "aside", "main"}
_FRESH_SCOPES = {"footer", "nav"}
_HEADING_LIKE_CLASSES = {"heading", "title", "eyebrow", "kicker", "overline", "label", "subtitle", "headline"}
_LABEL_RANK = 7


def is_outsider_title(title: str | None) -> bool:
    """"Angel investor", "Advisor", "Board member & Investor": a role held by someone outside the company."""
    parts = [p for p in _ROLE_JOINERS.split((title or "").strip()) if p]
    return bool(parts) and all(_OUTSIDER_ROLE.fullmatch(p) for p in parts)


def _is_label(node: LexborNode) -> bool:
    """A heading-like element that is no h1-h4: role=heading, h5/h6, dt, a "section-title"/"eyebrow" class,
    or a paragraph that is one bold phrase ("<p><strong>Backed by</strong></p>")."""
    tag = node.tag or ""
    if tag in ("h5", "h6", "dt") or (node.attributes or {}).get("role") == "heading":
        return True
    if _HEADING_LIKE_CLASSES & class_words(node):
        return True
    children = [c for c in node.iter(include_text=True) if c.is_element_node or (c.text() or "").strip()]
    return tag in ("p", "div") and len(children) == 1 and children[0].tag in ("strong", "b")


def _section_heading(node: LexborNode) -> tuple[int, bool | None] | None:
    """(rank, verdict) when ``node`` heads a section; verdict True for investors/advisors/board, False for
    the company's own people, None for anything else (a neutral heading still ends the section above)."""
    tag = node.tag or ""
    if tag in ("h1", "h2", "h3", "h4"):
        rank = int(tag[1])
    elif node.is_element_node and _is_label(node):
        rank = _LABEL_RANK
    else:
        return None
    text = " ".join(node.text(deep=True).split())
    if not text or len(text.split()) > 12:
        return None
    outsider, insider = bool(_OUTSIDER_HEADING.search(text)), bool(_INSIDER_HEADING.search(text))
    if rank == _LABEL_RANK and not (outsider or insider):
        return None
    # A card's own lines ("Jane Doe", "Angel investor", "Chair of the Board") head no section.
    if is_person_name(text) or is_outsider_title(text) or (is_job_title(text) and not insider):
        return None
    return rank, (None if outsider == insider else outsider)


def drop_outsiders(tree: LexborHTMLParser) -> None:
    """Remove, in place, the parts of a cleaned tree that list investors, advisors or the board.

    A part belongs to the nearest section heading before it, by rank: an h3 "Advisors" under an h2 "Team"
    makes an advisors section, an h3 "Sequoia Capital" under an h2 "Investors" does not end one. An element
    whose class or id says so ("investor-card", "advisory-board") goes too.
    """
    if tree.body is None:
        return
    headings: dict[int, tuple[int, bool | None]] = {}
    holds_heading: set[int] = set()
    for node in tree.body.traverse():
        if (found := _section_heading(node)) is not None:
            headings[node.mem_id] = found
            parent = node.parent
            while parent is not None and parent.mem_id not in holds_heading:
                holds_heading.add(parent.mem_id)
                parent = parent.parent
    doomed: list[LexborNode] = []
    in_force: list[tuple[int, bool | None]] = []  # headings above the current node, outermost first
    text_since_heading = True
    todo: list[tuple[LexborNode, list | None]] = [(tree.body, None)]
    while todo:
        node, saved = todo.pop()
        if saved is not None:  # leaving a <section>: the headings inside it end with it
            in_force[:] = saved
            continue
        if node.mem_id in headings:
            rank, verdict = headings[node.mem_id]
            if not text_since_heading and in_force and in_force[-1][0] >= rank and in_force[-1][1] is not None:
                # One heading group: "<p class=eyebrow>Backed by</p><h2>People who dig deep with us</h2>".
                if verdict is None or in_force[-1][0] == _LABEL_RANK:
                    verdict = in_force[-1][1]
            while in_force and in_force[-1][0] >= rank:
                in_force.pop()
            in_force.append((rank, verdict))
            text_since_heading = False
            continue
        words = class_words(node) if node.is_element_node else set()
        if node.tag in _FRESH_SCOPES or "footer" in words:
            todo.append((node, list(in_force)))
            in_force.clear()
        outside = next((v for _, v in reversed(in_force) if v is not None), False)
        by_class = node.tag != "body" and bool(words & _OUTSIDER_CLASS_WORDS) and not words & _INSIDER_CLASS_WORDS
        if node.is_element_node:
            if by_class or (outside and node.mem_id not in holds_heading):
                doomed.append(node)
                text_since_heading = True
                continue
        elif (node.text() or "").strip():
            if outside:
                doomed.append(node)
            text_since_heading = True
            continue
        if node.tag in _SECTION_SCOPES:
            todo.append((node, list(in_force)))  # restored after the children
        todo.extend((child, None) for child in reversed(list(node.iter(include_text=True))))
    for node in doomed:
        if node.parent is not None:
            node.decompose()


def works_elsewhere(title: str | None, domain: str) -> bool:
    """"Partner at Northzone", "VP Marketing @ Initech": a title at another organisation than ``domain``'s."""
    match = re.match(r"^(?P<role>.+?)\s+(?:at|@|bei|chez)\s+(?P<org>[A-Z0-9].{1,60})$", (title or "").strip())
    if match is None or not is_job_title(match.group("role")):
        return False
    return not same_organisation(match.group("org"), domain)


def same_organisation(org: str, domain: str) -> bool:
    """``org`` ("Brindle Labs", "Acme Inc.") can be the company at ``domain`` ("brindle.dev", "getacme.com")."""
    label = re.sub(r"[^a-z0-9]", "", registrable_domain(domain).split(".")[0].lower())
    words = [re.sub(r"[^a-z0-9]", "", w) for w in org.lower().split()]
    compact = "".join(words)
    if not label or not compact:
        return True
    return compact in label or label in compact or any(len(w) >= 3 and w in label for w in words[:2])


def _paren_title(line: str) -> tuple[str, str] | None:
    """"Jane Doe (CTO)" -> ("Jane Doe", "CTO")."""
    if match := _PAREN_TITLE.match(line):
        name, title = match.group("name").strip(), match.group("title").strip()
        return (name, title) if is_person_name(name) and _title_for(name, title) else None
    return None


def _first_sentence(line: str) -> str:
    for match in re.finditer(r"(\S+)\.\s+(?=[A-Z])", line):
        word = match.group(1)
        if len(word) <= 2 or word.lower() in _HONORIFICS or re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?", word):
            continue
        # "Snr. Product Designer" goes on; "Head of Ops. Reach Jane at ..." ends at "Ops".
        following = re.split(r"[.!?](?:\s|$)", line[match.end():], maxsplit=1)[0]
        if word.lower().lstrip("(") in _TITLE_ABBREVIATIONS and TITLE_WORDS.search(following):
            continue
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
        if line.startswith(("—", "–", "―", "~")):  # "— Dana Whitley, VP Marketing": a quote's attribution
            continue
        if line.startswith(("- ", "* ", "• ")):
            if i and _QUOTATION_END.search(lines[i - 1]):  # "- Dana Whitley, CEO" under a quotation
                continue
            line = line[2:].strip()  # a plain list item
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
