"""Buying signals in page text: funding, launches, dated news, hiring, and technology hints."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from core.models import Signal
from tools.extract.sentences import is_prose, split_sentences
from tools.extract.visible import class_words

_FUNDING = re.compile(
    r"\b(raised|raises|raising|closes?d?|secured?|announc\w+)\b[^.]{0,80}?(\$|€|£|USD|EUR)\s?\d[\d.,]*\s?(k|m|mm|bn|b|million|billion)?"
    r"|\b(series\s+[a-f]|seed\s+round|pre-seed|seed\s+funding|funding\s+round|venture\s+round)\b"
    r"|\bbacked\s+by\b|\b(led|co-led)\s+by\s+[A-Z][\w&]+(?:\s+[A-Z][\w&]+)*\s+(Ventures|Capital|Partners)\b",
    re.I,
)
_LAUNCH = re.compile(
    r"\b(launch(ed|es|ing)?|introduc(ing|es|ed)|now\s+available|generally\s+available|general\s+availability"
    r"|unveil(s|ed)?|releas(ed|es|ing)|announc(ing|es|ed)\s+(the\s+)?(new|launch|release|availability)|is\s+live|goes\s+live)\b",
    re.I,
)
_HIRING = re.compile(r"\b(we['’]?re\s+hiring|we\s+are\s+hiring|join\s+our\s+team|open\s+(roles|positions)|now\s+hiring|wir\s+stellen\s+ein|nous\s+recrutons)\b", re.I)
_NO_OPENINGS = re.compile(
    r"\bno\s+(current\s+|open\s+)?(open(ings)?|positions|roles|vacancies|jobs)\b|\bnot\s+(currently\s+)?hiring\b"
    r"|\bno\s+open\s+(positions|roles)\b|\bkeine\s+offenen\s+stellen\b|\baucune\s+offre\b|\bnothing\s+open\b",
    re.I,
)
# Role nouns as whole words ("Engineer", "Ingenieurin", "Developers"), not the fields they come from
# ("Engineering", "Leadership", "Directory" are department headings and links, not roles).
_ROLE_WORDS = re.compile(
    r"\b(engineer|developer|designer|manager|scientist|analyst|specialist|lead|director|head\s+of|architect|"
    r"consultant|coordinator|recruiter|writer|marketer|representative|executive|intern|administrator|officer|"
    r"technician|operator|associate|advocate|strategist|researcher|accountant|counsel|editor|sre|devops|"
    r"ingenieur|entwickler|ingénieur|développeur|développeuse|werkstudent|praktikant|berater|referent|"
    r"sachbearbeiter|chargée?|responsable|stagiaire|alternante?)(s|es|in|innen|e|\(in\)|:in|\*in)?(?![\w-])",
    re.I,
)
# Words that, before the first role word, mean the line is about something else ("budget per engineer").
_NOT_ROLE_LEAD = re.compile(r"\b(per|for|every|each|with|from|by|to|our|all|any)\b", re.I)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(
    rf"\b(\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH}\s+\d{{4}}|\d{{1,2}}\.\d{{1,2}}\.\d{{4}}|\d{{4}}/\d{{2}}/\d{{2}})\b",
    re.I,
)
_TECH_SCRIPTS = {
    "/_next/": "Next.js", "__NEXT_DATA__": "Next.js", "/_nuxt/": "Nuxt", "react": "React", "vue": "Vue",
    "angular": "Angular", "svelte": "Svelte", "wp-content": "WordPress", "cdn.shopify.com": "Shopify",
    "js.stripe.com": "Stripe", "hs-scripts.com": "HubSpot", "widget.intercom.io": "Intercom",
    "cdn.segment.com": "Segment", "googletagmanager.com": "Google Tag Manager", "gatsby": "Gatsby",
    "webflow": "Webflow", "squarespace": "Squarespace", "wixstatic": "Wix", "plausible.io": "Plausible",
}
_TECH_WORDS = (
    "Python", "Rust", "Go", "Golang", "TypeScript", "JavaScript", "Java", "Kotlin", "Ruby on Rails", "Elixir",
    "React", "Django", "Kubernetes", "Terraform", "AWS", "GCP", "Azure", "PostgreSQL", "Postgres", "Kafka",
    "Snowflake", "Salesforce", "HubSpot", "Shopify",
)
_TECH_CONTEXT = re.compile(r"\b(built\s+(with|on|in)|powered\s+by|our\s+stack|tech\s+stack|we\s+use|written\s+in|runs\s+on|experience\s+with)\b", re.I)


def text_signals(text: str, url: str) -> list[Signal]:
    """Funding, launch and hiring sentences of one page."""
    found: list[Signal] = []
    for sentence in split_sentences(text):
        if not is_prose(sentence, min_words=4):
            continue
        if _FUNDING.search(sentence):
            found.append(Signal(kind="funding", text=sentence, source_url=url))
        elif _LAUNCH.search(sentence):
            found.append(Signal(kind="launch", text=sentence, source_url=url))
        elif _HIRING.search(sentence):
            found.append(Signal(kind="hiring", text=sentence, source_url=url))
    return found


def news_items(tree: LexborHTMLParser, url: str) -> list[Signal]:
    """Dated posts on a blog/news page: one signal per post title that has a date next to it."""
    found: list[Signal] = []
    containers = tree.css("article") or tree.css("li, .post, .entry, [class*=post], [class*=news]")
    for box in containers:
        heading = box.css_first("h1, h2, h3, h4, a")
        title = " ".join((heading.text(deep=True) if heading else "").split())
        time_node = box.css_first("time")
        date = None
        if time_node is not None:
            date = time_node.attributes.get("datetime") or time_node.text(deep=True)
        else:
            match = _DATE.search(box.text(deep=True, separator=" "))
            date = match.group(0) if match else None
        if title and date and 3 <= len(title.split()) <= 25:
            text = f"{' '.join(date.split())[:32]}: {title}"
            if all(s.text != text for s in found):
                found.append(Signal(kind="news", text=text, source_url=url))
    return found


def tech_signals(raw_html: str, text: str, url: str) -> list[Signal]:
    """Technologies hinted by script/link sources and by 'built with X'-style sentences."""
    names: list[str] = []
    tree = LexborHTMLParser(raw_html or "")
    sources = " ".join(
        (n.attributes.get("src") or n.attributes.get("href") or n.attributes.get("id") or "")
        for n in tree.css("script, link[rel=stylesheet]")
    )
    for hint, name in _TECH_SCRIPTS.items():
        if hint.lower() in sources.lower() and name not in names:
            names.append(name)
    generator = tree.css_first('meta[name="generator"]')
    if generator is not None and (content := (generator.attributes.get("content") or "").strip()):
        names.append(content.split()[0])
    for sentence in split_sentences(text):
        if _TECH_CONTEXT.search(sentence):
            for word in _TECH_WORDS:
                if re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", sentence) and word not in names:
                    names.append(word)
    return [Signal(kind="tech", text=name, source_url=url) for name in names]


def says_no_openings(text: str) -> bool:
    return bool(_NO_OPENINGS.search(text))


def mentions_hiring(text: str) -> bool:
    return bool(_HIRING.search(text))


_CAREERS_WORDS = {"careers", "career", "jobs", "openings", "positions", "vacancies", "hiring", "karriere", "recrutement"}
_CAREERS_HEADING = re.compile(
    r"^(careers?|jobs|open\s+(roles|positions)|current\s+openings|we['’]?re\s+hiring|we\s+are\s+hiring|join\s+(us|our\s+team)"
    r"|work\s+with\s+us|vacancies|karriere|stellenangebote|offene\s+stellen|nous\s+recrutons)\b",
    re.I,
)


def careers_sections(tree: LexborHTMLParser) -> list[LexborNode]:
    """Sections of a page that are its careers part (a one-page site's ``<section id="careers">``, or a
    section headed "Open roles"), outermost only."""
    found: list[LexborNode] = []
    for node in tree.css("section, div, article, aside"):
        if (class_words(node) & _CAREERS_WORDS or _headed_careers(node)) and not any(_contains(f, node) for f in found):
            found.append(node)
    return found


def _headed_careers(node: LexborNode) -> bool:
    """The section's own heading (a child or grandchild, not one deep inside) says careers."""
    heading = node.css_first("h1, h2, h3")
    if heading is None or heading.parent is None:
        return False
    parents = (heading.parent, heading.parent.parent)
    if not any(p is not None and p.mem_id == node.mem_id for p in parents):
        return False
    return bool(_CAREERS_HEADING.match(" ".join(heading.text(deep=True).split())))


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    parent = inner.parent
    while parent is not None:
        if parent.mem_id == outer.mem_id:
            return True
        parent = parent.parent
    return False


def _names_a_role(title: str) -> bool:
    """A job title: a singular role noun that is not preceded by "per", "for", "every", ... ("Budget
    per engineer" or "Developers" are not openings)."""
    words = title.split()
    if not (1 <= len(words) <= 8) or len(title) > 70 or title[0].islower() or title.endswith((".", "!", "?")):
        return False
    if re.search(r"\b(we|our|you|your)\b", title, re.I):
        return False
    matches = list(_ROLE_WORDS.finditer(title))
    singular = [m for m in matches if (m.group(2) or "").lower() not in ("s", "es")]
    return bool(singular) and not _NOT_ROLE_LEAD.search(title[: singular[0].start()])


def role_titles(tree: LexborHTMLParser | LexborNode) -> list[str]:
    """Open-role titles on a careers page: short headings, list items, links or table cells naming a role.

    A job card (a link or list item holding a title plus location/team labels) is read by its title
    element: the first heading, link or strong text inside it, else its own first line.
    """
    roles: list[str] = []
    for node in tree.css("h2, h3, h4, h5, h6, li, a, td, dt, strong, [class*=job], [class*=role], [class*=position]"):
        inner = [n for n in node.css("h2, h3, h4, h5, h6, a, strong") if n.mem_id != node.mem_id]  # css() holds node
        if inner:
            line = inner[0].text(deep=True)
        else:
            line = node.text(deep=True, separator="\n").strip().split("\n")[0]
        line = " ".join(line.split())
        title = re.split(r"\s+[—–|·•-]\s+|\s*\(|\s*,\s*(?=remote|hybrid|on-?site|full|part)", line, maxsplit=1)[0].strip(" :")
        if _names_a_role(title) and title not in roles:
            roles.append(title)
    return roles
