"""Company facts merged over a site's pages; every field set records the page it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from selectolax.lexbor import LexborHTMLParser, LexborNode

from core.models import Company, Evidence, Signal
from tools.extract import geo, headcount, jsonld, signals
from tools.extract.domains import registrable_domain
from tools.extract.industry import classify_industry, stated_industry, topic_list
from tools.extract.instructions import reads_as_instruction
from tools.extract.links import page_kind
from tools.extract.people import same_organisation
from tools.extract.sentences import is_prose, split_sentences
from tools.extract.visible import class_words, tree_text, visible_tree

PAGE_TEXT_BUDGET = 20_000
_KIND_ORDER = {"home": 0, "about": 1, "team": 2, "contact": 3, "careers": 4, "blog": 5, None: 6}
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·•:-]\s+|\s*[|·•]\s*")
_MAX_PER_KIND = 5
_MAX_KEYWORDS = 12
# Class tokens of tag chips ("tag", "chips", "topic-pill"); "tagline" or "stage" are not chips.
_CHIP_CLASS = re.compile(r"(?:^|[-_])(?:tags?|chips?|pills?|topics?|keywords?)(?:$|[-_])")
# Legal notices, privacy and cookie text say nothing about what a company does (a few languages): a
# heading that is one ("Impressum", "Privacy policy"), or a line that reads like one ("Angaben gemäß § 5 TMG").
_LEGAL_HEADING = re.compile(
    r"impressum|imprint|legal(?:\s+(?:notice|information|disclosure|details))?|site\s+notice|mentions\s+légales|"
    r"informations\s+légales|aviso\s+legal|privacy(?:\s+(?:policy|notice|statement))?|"
    r"datenschutz(?:erklärung|hinweise)?|politique\s+de\s+confidentialité|política\s+de\s+privacidad|"
    r"cookies?(?:\s+(?:policy|settings|preferences|notice))?|terms(?:\s+of\s+(?:use|service)|\s+(?:&|and)\s+"
    r"conditions)?|conditions\s+générales(?:\s+d['’]utilisation)?|cgu|cgv|agb|nutzungsbedingungen|disclaimer|"
    r"haftungsausschluss|copyright|registereintrag|umsatzsteuer-id|ust-idnr\.?|hébergement|"
    r"intellectual\s+property|propriété\s+intellectuelle|urheberrecht",
    re.I,
)
_LEGAL_TEXT = re.compile(
    r"§|©|\ball\s+rights\s+reserved\b|\b(?:angaben|informationen)\s+gem|\bimpressum\b|\bmentions\s+légales\b|"
    r"\blegal\s+notice\b|\bprivacy\s+(?:policy|notice|statement)\b|\bdatenschutzerklärung\b|"
    r"\bterms\s+(?:of\s+(?:use|service)|and\s+conditions)\b|\b(?:uses?|using)\s+cookies\b|"
    r"\baccept\s+(?:all\s+)?cookies\b|\bcookie\s+(?:policy|settings|preferences|consent|notice)\b|"
    r"\bregistergericht\b|\bhandelsregister\b|\bstreitbeilegung\b|\bdispute\s+resolution\b|"
    r"\bverantwortlich\s+(?:für|i\.\s?s\.)|\bresponsible\s+for\s+(?:the\s+)?content\b|"
    r"\bpage\s+not\s+found\b|\benable\s+javascript\b|\blast\s+(?:updated|modified|revised)\b|"
    r"\beffective\s+(?:date|as\s+of)\b|\bzuletzt\s+aktualisiert\b|"
    r"\b(?:utilisons|utilise|verwende[nt]?|nutzen|usamos|utilizamos)\s+(?:des\s+|los\s+)?cookies\b|"
    # company-register lines of a legal notice
    r"\bRCS\b|\bSIRE[NT]\b|\bau\s+capital\s+(?:social\s+)?de\b|\bimmatricul\w+|\bdirect(?:eur|rice)\s+de\s+la\s+"
    r"publication\b|\bamtsgericht\b|\bHRB\b|\bregistered\s+(?:in\s+england|office)\b|"
    r"\bcompany\s+(?:registration\s+)?number\b|\bvat\s+(?:no|number|reg)",
    re.I,
)
# What the prose of a legal page is about when it is not about the company (read on legal pages only: a
# privacy company's home page may well speak of personal data).
_LEGAL_PROSE = re.compile(
    r"\b(?:personal\s+data|personenbezogen\w*|données\s+personnelles|datos\s+personales|data\s+protection|"
    r"datenschutz\w*|protection\s+des\s+données|gdpr|dsgvo|rgpd|this\s+(?:web)?site|this\s+policy|"
    r"diese[rnm]?\s+(?:website|webseite|seite|internetseite)|ce\s+site|cette\s+politique|este\s+sitio|liability|"
    r"haftung|responsabilité|copyright|urheberrecht\w*|droit\s+d['’]auteur|intellectual\s+property|"
    r"propriété\s+intellectuelle|cookies?|verarbeit\w+|traitement|right\s+to|recht\s+auf|hosted\s+by|"
    r"héberg\w+|gehostet|third[\s-]part(?:y|ies)|external\s+links?|externe\s+links?|liens\s+externes)\b",
    re.I,
)
# "Vertreten durch: ...", "Telefon: ...": a labelled line of a notice, not a sentence about the company.
_LABELLED_LINE = re.compile(r"^[^.!?:]{1,40}:\s")
# "Careers at Quillpoint", "Jobs bei Nordlicht": the page's name before the company's.
_PAGE_OF = re.compile(r"^(?:careers|jobs|life|working|news|about)\s+(?:at|@|bei|chez)\s+", re.I)
# Class or id words of a cookie/consent banner; its text is no description.
_BANNER_WORDS = {"cookie", "cookies", "consent", "gdpr", "cmp", "cookiebanner", "cookieconsent"}
# A page's own name in its <title> or h1 ("About us", "Team", "Impressum"), never the company's.
_PAGE_NAME = re.compile(
    r"^(?:home(?:page)?|start(?:seite)?|accueil|welcome|about(?:\s+us)?|über\s+uns|à\s+propos|(?:our\s+|the\s+)?"
    r"team|people|contact(?:\s+us)?|kontakt|careers?|jobs|karriere|blog|news(?:\s+&\s+updates)?|press|"
    r"pricing|services|products?)$",
    re.I,
)


@dataclass
class _Page:
    url: str
    kind: str | None
    raw: LexborHTMLParser
    tree: LexborHTMLParser
    text: str
    items: list[dict]


def _read(pages: dict[str, str]) -> list[_Page]:
    read = []
    for i, (url, html) in enumerate(pages.items()):
        raw = LexborHTMLParser(html or "")
        tree = visible_tree(html or "")
        kind = "home" if i == 0 else page_kind(url)
        read.append(_Page(url, kind, raw, tree, tree_text(tree), jsonld.jsonld_items(raw)))
    return sorted(read, key=lambda p: _KIND_ORDER.get(p.kind, 6))


def _meta(raw: LexborHTMLParser, *names: str) -> str | None:
    for name in names:
        node = raw.css_first(f'meta[property="{name}"], meta[name="{name}"]')
        if node is not None and (content := " ".join((node.attributes.get("content") or "").split())):
            return content
    return None


def _fact(company: Company, claim: str, url: str) -> None:
    claim = " ".join(claim.split())[:400]
    if reads_as_instruction(claim):  # page text giving orders to an AI is data, never a fact to repeat
        return
    if claim and all(f.claim != claim for f in company.facts):
        company.facts.append(Evidence(claim=claim, source_url=url))


def _set(company: Company, field: str, value, url: str, sentence: str | None = None) -> None:
    setattr(company, field, value)
    company.sources[field] = url
    if sentence:
        _fact(company, sentence, url)


def _is_boilerplate(text: str) -> bool:
    """A legal heading or legal/cookie/instruction text: never a company's name or description."""
    text = " ".join(text.split())
    return bool(
        _LEGAL_HEADING.fullmatch(text.strip(" :.|-–—")) or _LEGAL_TEXT.search(text) or reads_as_instruction(text)
    )


def _is_page_name(text: str) -> bool:
    return bool(_PAGE_NAME.fullmatch(text.strip(" :.|-–—"))) or _is_boilerplate(text)


def _name_from_title(title: str, domain: str) -> str | None:
    parts = [_PAGE_OF.sub("", p.strip()) for p in _TITLE_SEPARATORS.split(title)]
    parts = [p for p in parts if p and not _is_page_name(p)]
    if not parts:
        return None
    label = registrable_domain(domain).split(".")[0].replace("-", " ")
    best = max(parts, key=lambda p: fuzz.ratio(p.lower().replace("-", " "), label))
    if fuzz.ratio(best.lower().replace("-", " "), label) >= 60 or fuzz.partial_ratio(label, best.lower()) >= 90:
        return best
    return parts[0] if len(parts[0].split()) <= 4 else None


def _own_org(orgs: list[tuple[jsonld.OrgInfo, str]], domain: str) -> tuple[jsonld.OrgInfo, str] | None:
    """The organisation that is the site's company: the one named like the domain, else the first
    (a Person's ``worksFor`` on an advisors page is another firm)."""
    return next((o for o in orgs if o[0].name and same_organisation(o[0].name, domain)), orgs[0] if orgs else None)


def _name(company: Company, home: _Page, orgs: list[tuple[jsonld.OrgInfo, str]], domain: str) -> None:
    own = _own_org([o for o in orgs if o[0].name], domain)
    if own is not None and own[0].name:
        _set(company, "name", own[0].name, own[1])
        return
    site_name = _meta(home.raw, "og:site_name", "application-name")
    title_node = home.raw.css_first("title")
    from_title = _name_from_title(title_node.text(), domain) if title_node is not None else None
    h1 = home.tree.css_first("h1")
    for candidate in (site_name, from_title, h1.text(deep=True).strip() if h1 is not None else None):
        if candidate and len(candidate) <= 80 and not _is_page_name(candidate):
            _set(company, "name", " ".join(candidate.split()), home.url)
            return


_TAGLINE_CLASSES = frozenset({"tagline", "subtitle", "slogan", "lead", "subhead", "subheading", "hero-text"})


def _in_banner(node: LexborNode) -> bool:
    """Inside a cookie or consent banner (by the class or id words of an ancestor)."""
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html"):
        if class_words(current) & _BANNER_WORDS:
            return True
        current = current.parent
    return False


def _tagline(tree: LexborHTMLParser) -> str | None:
    """The line a site leads with: an element classed as a tagline, or the block right after the h1."""
    nodes = [n for n in tree.css("[class]") if _TAGLINE_CLASSES & set((n.attributes.get("class") or "").lower().split())]
    h1 = tree.css_first("h1")
    sibling = h1.next if h1 is not None else None
    while sibling is not None and sibling.tag == "-text" and not (sibling.text() or "").strip():
        sibling = sibling.next
    if sibling is not None and sibling.tag in ("p", "h2", "h3", "div", "span"):
        nodes.append(sibling)
    for node in nodes:
        text = " ".join(node.text(deep=True).split())
        if len(node.css("a")) > 1 or _in_banner(node):  # a row of links is navigation, not a tagline
            continue
        if 3 <= len(text.split()) <= 30 and "@" not in text and "http" not in text and not _is_boilerplate(text):
            return text
    return None


def _first_prose(tree: LexborHTMLParser, legal_page: bool) -> str | None:
    """The first real sentence on the page, outside legal sections ("Angaben gemäß § 5 TMG"), cookie banners
    and labelled notice lines ("Vertreten durch: ..."). A legal page's own title ("Impressum") does not rule
    out the whole page, but its sentences about data, liability or the website do not count."""
    heading = ""
    for node in tree.css("h1, h2, h3, h4, p"):
        if node.tag != "p":
            heading = "" if legal_page and node.tag == "h1" else " ".join(node.text(deep=True).split())
            if node.tag != "h2":
                continue
        if _is_boilerplate(heading) or _in_banner(node):
            continue
        for sentence in split_sentences(node.text(deep=True)):
            if (
                is_prose(sentence, min_words=8) and "@" not in sentence and "http" not in sentence
                and not _is_boilerplate(sentence) and not _LABELLED_LINE.match(sentence)
                and not (legal_page and _LEGAL_PROSE.search(sentence))
            ):
                return sentence
    return None


def _description(company: Company, home: _Page, orgs: list[tuple[jsonld.OrgInfo, str]], domain: str) -> None:
    candidates = [_meta(home.raw, "description"), _meta(home.raw, "og:description", "twitter:description")]
    own = _own_org(orgs, domain)
    candidates.append(own[0].description if own is not None else None)
    h1, title = home.tree.css_first("h1"), home.raw.css_first("title")
    headings = [h1.text(deep=True) if h1 is not None else ""]
    headings += _TITLE_SEPARATORS.split(title.text()) if title is not None else []
    legal_page = any(_is_boilerplate(h) for h in headings if h.strip())
    candidates += [None if legal_page else _tagline(home.tree), _first_prose(home.tree, legal_page)]
    for candidate in candidates:
        if candidate and not _is_boilerplate(candidate):
            first = split_sentences(candidate)[0] if split_sentences(candidate) else candidate
            _set(company, "description", first[:300], home.url, first)
            return


def _locations(company: Company, pages: list[_Page], orgs: list[tuple[jsonld.OrgInfo, str]]) -> None:
    # (place, url, sentence, strength): JSON-LD and headquarters phrases outrank addresses and "offices in".
    found: list[tuple[str, str, str, int]] = []
    for org, url in orgs:
        found += [(a, url, a, 0) for a in org.addresses]
        found += [(c, url, c, 0) for c in org.countries if geo.country_of(c, allow_code=True)]
    for page in pages:
        for place, sentence, is_hq in geo.location_mentions(page.text):
            found.append((place, page.url, sentence, 1 if is_hq else 3))
        address_nodes = " \n".join(n.text(deep=True, separator=", ") for n in page.tree.css("address"))
        for line in geo.address_lines(address_nodes + "\n" + page.text):
            found.append((re.sub(r"(,\s*)+", ", ", line).strip(", "), page.url, line, 2))
    found.sort(key=lambda f: f[3])
    for place, url, sentence, _ in found:
        duplicate = any(fuzz.token_set_ratio(place, known) >= 85 for known in company.locations)
        # A bare country ("registered in England and Wales") adds nothing once a place in it is known.
        bare_country = geo.is_country_name(place) and any(
            geo.country_of(known, allow_code=True) == geo.country_of(place) for known in company.locations
        )
        if not duplicate and not bare_country and len(company.locations) < 5 and not place.isupper():
            company.locations.append(place)
            company.sources.setdefault("locations", url)
            _fact(company, sentence, url)
        if company.country is None and (country := geo.country_of(place, allow_code=True)):
            _set(company, "country", country, url, sentence)


def _team_size(company: Company, pages: list[_Page], orgs: list[tuple[jsonld.OrgInfo, str]]) -> None:
    for org, url in orgs:
        if org.employees:
            _set(company, "team_size", org.employees, url, f"numberOfEmployees: {org.employees}")
            return
    for page in pages:
        if found := headcount.team_size_in(page.text):
            _set(company, "team_size", found[0], page.url, found[1])
            return


def _industry(company: Company, home: _Page, own: list[_Page]) -> None:
    """The industry the company states for itself on its home/about page; failing that, the best
    taxonomy label for its description and own pages. Also the topics it lists for itself."""
    _keywords(company, home, own)
    for page in own:
        if stated := stated_industry(page.text, company.name):
            _set(company, "industry", stated[0], page.url, stated[1])
            return
    primary = " ".join(filter(None, [company.description, _meta(home.raw, "keywords")]))
    secondary = "\n".join(p.text[:5000] for p in own)
    if industry := classify_industry(primary, secondary):
        _set(company, "industry", industry, home.url)


def _keywords(company: Company, home: _Page, own: list[_Page]) -> None:
    found: list[tuple[str, str]] = []
    meta = _meta(home.raw, "keywords")
    found += [(k.strip(), home.url) for k in (meta or "").split(",") if 0 < len(k.strip()) <= 40]
    for page in own:
        for node in page.tree.css("[class]"):
            tokens = (node.attributes.get("class") or "").lower().split()
            text = " ".join(node.text(deep=True).split())
            chip = any(_CHIP_CLASS.search(t) for t in tokens) and not any(
                _CHIP_CLASS.search(t) for child in node.css("[class]")[1:]
                for t in (child.attributes.get("class") or "").lower().split()
            )  # a container of chips is not a chip
            if chip and 0 < len(text) <= 40 and len(text.split()) <= 4:
                found.append((text, page.url))
        for sentence in split_sentences(page.text):
            found += [(topic, page.url) for topic in topic_list(sentence)]
    for keyword, url in found:
        if len(company.keywords) < _MAX_KEYWORDS and keyword.lower() not in (k.lower() for k in company.keywords):
            company.keywords.append(keyword)
            company.sources.setdefault("keywords", url)


def _hiring(company: Company, pages: list[_Page]) -> None:
    for page in pages:
        roles = jsonld.job_titles(page.items)
        if page.kind == "careers":
            roles += signals.role_titles(page.tree)
        elif page.kind != "blog":  # a one-page site's careers section
            roles += [r for section in signals.careers_sections(page.tree) for r in signals.role_titles(section)]
        for role in roles:
            if role not in company.open_roles:
                company.open_roles.append(role)
                company.sources.setdefault("open_roles", page.url)
    if company.open_roles:
        url = company.sources["open_roles"]
        text = "Hiring: " + ", ".join(company.open_roles[:8])
        _set(company, "is_hiring", True, url, text)
        company.signals.append(Signal(kind="hiring", text=text, source_url=url))
        return
    # An explicit "no openings" outweighs an "Open roles" heading above it: one-page sites carry
    # their careers section on the home page, so the home page is read like a careers page.
    hiring_pages = [p for p in pages if p.kind == "careers"] + [p for p in pages if p.kind == "home"]
    for page in hiring_pages:
        if signals.says_no_openings(page.text):
            _set(company, "is_hiring", False, page.url)
            return
    for page in hiring_pages:
        if signals.mentions_hiring(page.text):
            _set(company, "is_hiring", True, page.url)
            return


def _signals(company: Company, pages: list[_Page], html: dict[str, str]) -> None:
    found: list[Signal] = []
    for page in pages:
        found += signals.text_signals(page.text, page.url)
        if page.kind == "blog":
            found += signals.news_items(page.tree, page.url)
        if page.kind == "home":
            found += signals.tech_signals(html[page.url], page.text, page.url)
    counts: dict[str, int] = {}
    for signal in found:
        if signal.kind == "hiring" and company.is_hiring is False:
            continue
        if counts.get(signal.kind, 0) >= _MAX_PER_KIND or any(s.text == signal.text for s in company.signals):
            continue
        counts[signal.kind] = counts.get(signal.kind, 0) + 1
        company.signals.append(signal)
        if signal.kind in ("funding", "launch", "news", "hiring"):
            _fact(company, signal.text, signal.source_url)


def extract_company(pages: dict[str, str], domain: str) -> Company:
    """Merge what the pages say about the company. ``pages`` maps url -> html, home page first."""
    company = Company(domain=registrable_domain(domain) or domain)
    if not pages:
        return company
    read = _read(pages)
    home = next((p for p in read if p.kind == "home"), read[0])
    orgs = [(org, p.url) for p in read for org in jsonld.organizations(p.items)]
    _name(company, home, orgs, domain)
    _description(company, home, orgs, domain)
    _locations(company, read, orgs)
    _team_size(company, read, orgs)
    _industry(company, home, [p for p in read if p.kind in ("home", "about")])
    _hiring(company, read)
    _signals(company, read, pages)
    for page in read:
        if page.kind in ("home", "about"):
            for sentence in [s for s in split_sentences(page.text) if is_prose(s, min_words=8)][:6]:
                _fact(company, sentence, page.url)
        company.pages[page.url] = page.text[:PAGE_TEXT_BUDGET]
    return company
