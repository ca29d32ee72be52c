"""The briefing chat's rules engine: reads one user message into a ``BriefUpdate`` by slot filling
(labelled fields, "we sell ...", "I'm Dana from Shiftly", addresses, domains, ICP wording).

It never guesses: a value is taken only from what the message says, and a bare answer fills the
slot the assistant asked for last.
"""

from __future__ import annotations

import re

import tldextract

from agents.briefing.draft import BriefUpdate
from agents.briefing.sources import discovery_source
from agents.icp import icp_from_text
from core.models import ICP

_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled suffix list, no network
_TEST_TLDS = frozenset({"example", "test", "localhost"})  # reserved names used by demos and sample sites

LABELS: dict[str, str] = {
    "campaign name": "name", "campaign": "name", "name": "name",
    "offer": "offer", "product": "offer", "pitch": "offer", "value proposition": "offer",
    "what we sell": "offer", "service": "offer",
    "description": "description",
    "icp": "icp", "ideal customer profile": "icp", "ideal customer": "icp", "ideal customers": "icp",
    "target": "icp", "targets": "icp", "target customers": "icp", "audience": "icp",
    "industries": "industries", "industry": "industries", "sectors": "industries", "sector": "industries",
    "verticals": "industries", "vertical": "industries",
    "locations": "locations", "location": "locations", "regions": "locations", "region": "locations",
    "countries": "locations", "country": "locations", "geography": "locations", "markets": "locations",
    "company size": "size", "size": "size", "employees": "size", "headcount": "size", "team size": "size",
    "signals": "signals", "signal": "signals", "triggers": "signals",
    "exclude": "exclude", "exclusions": "exclude", "excluding": "exclude",
    "sender": "sender", "from": "sender",
    "my name": "sender_name", "sender name": "sender_name", "your name": "sender_name",
    "company": "sender_company", "company name": "sender_company", "my company": "sender_company",
    "sender company": "sender_company",
    "email": "sender_email", "e-mail": "sender_email", "sender email": "sender_email",
    "my email": "sender_email", "reply-to": "sender_email", "email address": "sender_email",
    "address": "postal_address", "postal address": "postal_address", "mailing address": "postal_address",
    "companies": "companies", "domains": "companies", "websites": "companies", "urls": "companies",
    "accounts": "companies", "company list": "companies",
    "discovery": "discovery", "source": "discovery", "discovery source": "discovery",
    "steps": "sequence_steps", "emails": "sequence_steps", "sequence": "sequence_steps",
    "sequence steps": "sequence_steps", "emails per contact": "sequence_steps",
}
_LABEL_ALT = "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True))
_CHANGE = re.compile(
    rf"^(?:please\s+)?(?:change|set|update|make|switch|correct)\s+(?:the\s+|our\s+|my\s+)?(?P<label>{_LABEL_ALT})"
    r"\s*(?:to|=|:|should be|is|are)\s+(?P<value>.+)$", re.I)
_LABELLED = re.compile(
    rf"^(?:the\s+|our\s+)?(?P<label>{_LABEL_ALT})\s*(?P<sep>:|=|\bshould be\b|\bis\b|\bare\b)\s*(?P<value>.+)$", re.I)
_DISCOURSE = re.compile(
    r"^(?:(?:actually|sorry|oops|correction|instead|also|and|oh|ok|okay|no|wait|hmm|well|btw|plus)\b[\s,:;!-]*)+",
    re.I)
_CORRECTION = re.compile(r"^(?:actually|sorry|oops|correction|instead|no|wait)\b", re.I)
_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;])\s+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w-])")
_EMAILISH = re.compile(r"(?<![^\s,;<>()@])[^\s,;<>()@]{0,64}@[^\s,;<>()@]{0,255}")
_URL = re.compile(r"https?://[^\s,;<>()\"']+", re.I)
_DOMAIN = re.compile(r"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?:/[^\s,;<>()\"']*)?(?![\w@-])",
                     re.I)
_SELF_SITE = re.compile(r"\b(?:our|my)\s+(?:site|website|domain|homepage|web site)\b|\bwe(?:'re| are)\s+at\b", re.I)

_OFFER_VERB = re.compile(r"\b(?:we|i)\s+(?:sell|offer|provide|build|make|develop|run)\s+(?P<offer>.{3,})", re.I)
_OFFER_HELP = re.compile(r"\b(?P<offer>(?:we|i)\s+help\s+.{3,})", re.I)
_OFFER_OUR = re.compile(
    r"\b(?P<lead>our\s+(?:product|service|platform|tool|app|software|offering|offer|solution))"
    r"\s*(?P<sep>\bis\b|:|-)?\s*(?P<rest>.{3,})", re.I)
_TAIL = re.compile(r"\b(?:to|for)\s+(?P<tail>.+)$", re.I)
_ICP_CUE = re.compile(
    r"\b(?:compan(?:y|ies)|startups?|businesses|firms|agencies|brands|retailers|teams|organi[sz]ations|orgs|"
    r"employees|people|staff|headcount|hiring|recruiting|funded|funding|raised|series [abc]|exclud\w*|"
    r"no crypto|based in|located in|targets?|targeting|ideal customers?|icp|industr(?:y|ies)|sectors?|"
    r"verticals?)\b", re.I)
_NAME_INTRO = re.compile(
    r"(?i:\b(?:i am|i'm|im|my name is|my name's|this is|sign (?:it |them |the emails |emails )?as))\s+"
    r"(?P<name>[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|van|von|de|da|del|la|le|bin|al))*)")
_COMPANY_INTRO = re.compile(
    r"(?i:\b(?:from|at|with|of|for|founder of|ceo of|my company is|our company is|we are|we're|company is))\s+"
    r"(?P<company>[A-Z0-9][\w&'’.-]*(?:\s+[A-Z0-9&][\w&'’.-]*){0,3})")
_COMPANY_ONLY = re.compile(
    r"(?i:\b(?:my company is|our company is|we are|we're|i work (?:at|for)|company is))\s+"
    r"(?P<company>[A-Z0-9][\w&'’.-]*(?:\s+[A-Z0-9&][\w&'’.-]*){0,3})")
_CAMPAIGN_NAME = re.compile(
    r"\b(?:call (?:it|the campaign)|name (?:it|the campaign)|campaign (?:called|named))\s+"
    r"[\"“'‘]?(?P<name>[^\"”'’\n]+?)[\"”'’]?\s*$", re.I)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a single": 1, "single": 1}
_NUM = r"(?P<n>\d{1,2}|one|two|three|four|five|six|a single|single)"
_STEPS = re.compile(rf"\b{_NUM}[\s-]*(?:e-?mails?|steps?|touch(?:es)?|messages)\b", re.I)
_FOLLOW_UPS = re.compile(rf"\b{_NUM}[\s-]*follow[\s-]?ups?\b", re.I)
_STREET = re.compile(
    r"\b\d{1,6}[A-Za-z]?(?:[-/]\d+)?,?\s+(?:[\w'’.-]+\s+){0,4}?"
    r"(?:street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|way|drive|dr|place|pl|square|sq|court|ct|"
    r"terrace|parkway|pkwy|highway|hwy|strasse|straße|str|rue|via|calle|plaza|row|close|crescent|quay|"
    r"wharf|walk|gardens|broadway|circle|alley)\b\.?"
    r"|\b[A-ZÄÖÜ][\w'’-]{0,40}?(?:straße|strasse|str\.|weg|gasse|platz|laan|gracht|vej|gatan|allee)\s+\d{1,5}[a-z]?\b"
    r"|\b(?:po|p\.o\.)\s*box\s+\d+", re.I)
_ADDRESS_CUE = re.compile(
    r"\b(?:(?:our|my|the|postal|mailing|office)\s+)?address\s*(?:is|:)\s*|\b(?:we're|we are|i'm|i am)\s+(?:located\s+)?at\s+",
    re.I)
_CONFIRM = re.compile(
    r"^(?:(?:yes|yep|yeah|yup|y|sure|ok|okay|go|go ahead|do it|create it|create the campaign|start it|"
    r"launch it|start|launch|looks good|look good|looks great|lgtm|confirm|confirmed|sounds good|perfect|"
    r"great|correct|that's right|thats right|please|let's go|lets go|ship it|all good|good to go)"
    r"(?:\s+please)?[\s,.!]*)+$", re.I)
_CANCEL = re.compile(
    r"^(?:please\s+)?(?:cancel|stop|abort|never\s*mind|forget it|discard)(?:\s+(?:it|this|that|the briefing|"
    r"the campaign))?[\s.!]*$", re.I)
_OPEN_ICP = re.compile(
    r"^(?:any(?:one|body| company| companies)?|no preference|doesn'?t matter|all|everyone|skip|no filter)[\s.!]*$",
    re.I)


def is_confirmation(text: str) -> bool:
    return bool(_CONFIRM.match(text.strip()))


def update_from_text(text: str, *, asked: str | None = None) -> BriefUpdate:
    """Read one message. ``asked`` is the slot of the last question (a bare answer fills it)."""
    update = BriefUpdate(confirm=is_confirmation(text), cancel=bool(_CANCEL.match(text.strip())))
    if update.confirm or update.cancel:
        return update
    emails = EMAIL.findall(text)
    rest = EMAIL.sub(" ", text)
    for raw_line in text.splitlines():
        line = _BULLET.sub("", raw_line).strip()
        if line:
            _read_line(line, update)
    if not update.sender_email:
        loose = emails or [t.strip(".") for t in _EMAILISH.findall(text) if t.strip("@.")]
        if loose:
            update.sender_email = loose[0]
    _read_companies(rest, update, {e.rsplit("@", 1)[1].lower() for e in emails})
    if update.is_empty() and asked:
        _fill_asked(text.strip(), asked, update)
    return update


def _read_line(line: str, update: BriefUpdate) -> None:
    address = _address_span(line)
    if address and not update.postal_address:
        start, end = address
        update.postal_address = _clean_address(line[start:end])
        line = (line[:start] + line[end:]).strip(" ,;")
    for clause in _CLAUSE_SPLIT.split(line):
        clause = clause.strip()
        correction = bool(_CORRECTION.match(clause))
        clause = _DISCOURSE.sub("", clause).strip().rstrip(".!")
        if clause and not _labelled(clause, update, correction):
            _free_text(clause, update)


def _labelled(clause: str, update: BriefUpdate, correction: bool) -> bool:
    match = _CHANGE.match(clause)
    changed = match is not None
    match = match or _LABELLED.match(clause)
    if not match:
        return False
    field = LABELS[match["label"].lower()]
    sep = (match.groupdict().get("sep") or "").lower()
    if field == "companies" and sep in ("is", "are") or field == "sender" and sep not in (":", "="):
        return False
    value = match["value"].strip().strip("\"“”'").rstrip(".!")
    if not value:
        return False
    _assign(field, value, update, replace=changed or correction)
    return True


def _assign(field: str, value: str, update: BriefUpdate, *, replace: bool) -> None:
    if field in ("industries", "locations", "signals", "exclude"):
        items = _items(value)
        if field == "industries":
            items = [next(iter(icp_from_text(i).industries), i.lower()) for i in items]
        setattr(update, field, items)
    elif field == "icp":
        if _OPEN_ICP.match(value):
            update.icp_open = True
        else:
            _apply_icp(icp_from_text(value), update)
            update.description = value
    elif field == "size":
        icp = icp_from_text(value if _ICP_CUE.search(value) else f"{value} employees")
        update.min_employees, update.max_employees = icp.min_employees, icp.max_employees
    elif field == "sender":
        _sender_parts(value, update)
    elif field == "companies":
        update.replace_companies = replace
        _read_companies(value, update, set())
        if not update.companies:
            update.discovery = discovery_source(value)
    elif field == "discovery":
        update.discovery = discovery_source(value) or value.lower()
    elif field == "sequence_steps":
        update.sequence_steps = _steps(value) or _number(value)
    elif field == "offer":
        update.offer = value[:500]
    elif field == "sender_email":
        found = EMAIL.search(value) or _EMAILISH.search(value)
        update.sender_email = found.group().strip(".") if found else value
    elif field == "postal_address":
        update.postal_address = _clean_address(value)
    else:
        setattr(update, field, value)


def _free_text(clause: str, update: BriefUpdate) -> None:
    offer = _offer(clause)
    if offer and not update.offer:
        update.offer = offer
    icp_text = clause
    if offer:
        tail = _TAIL.search(offer)
        icp_text = tail["tail"] if tail else ""
    if icp_text and _ICP_CUE.search(icp_text) and not _NAME_INTRO.search(clause):
        icp = icp_from_text(icp_text)
        if icp != ICP():
            _apply_icp(icp, update)
            if not offer:  # the user's own words about the target, kept for effective_icp
                update.description = f"{update.description}; {clause}" if update.description else clause
    intro = _NAME_INTRO.search(clause)
    if intro and not update.sender_name:
        update.sender_name = intro["name"].strip(" .")
        company = _COMPANY_INTRO.search(clause, intro.end())
        if company and not update.sender_company:
            update.sender_company = company["company"].strip(" .,")
    company = _COMPANY_ONLY.search(clause)
    if company and not update.sender_company:
        update.sender_company = company["company"].strip(" .,")
    name = _CAMPAIGN_NAME.search(clause)
    if name and not update.name:
        update.name = name["name"].strip()
    steps = _steps(clause)
    if steps and update.sequence_steps is None:
        update.sequence_steps = steps
    source = discovery_source(clause)
    if source and not update.discovery:
        update.discovery = source


def _offer(clause: str) -> str | None:
    match = _OFFER_VERB.search(clause)
    if match:
        return match["offer"].strip()[:500]
    match = _OFFER_HELP.search(clause)
    if match:
        text = match["offer"].strip()
        return (text[:1].upper() + text[1:])[:500]
    match = _OFFER_OUR.search(clause)
    if match:
        text = match["rest"] if match["sep"] else f"{match['lead']} {match['rest']}"
        return (text[:1].upper() + text[1:]).strip()[:500]
    return None


def _apply_icp(icp: ICP, update: BriefUpdate) -> None:
    for field in ("industries", "locations", "signals", "exclude"):
        if getattr(icp, field):
            setattr(update, field, list(getattr(icp, field)))
    if icp.min_employees is not None or icp.max_employees is not None:
        update.min_employees, update.max_employees = icp.min_employees, icp.max_employees


def _sender_parts(value: str, update: BriefUpdate) -> None:
    """"Dana Example, Shiftly, dana@shiftly.example": e-mail by its @, then name, then company."""
    plain: list[str] = []
    for part in re.split(r"\s*[,;|]\s*|\s+<|>\s*", value):
        part = part.strip(" <>")
        if not part:
            continue
        if "@" in part:
            update.sender_email = update.sender_email or part
        else:
            plain.append(part)
    if plain and not update.sender_name:
        update.sender_name = plain.pop(0)
    if plain and not update.sender_company:
        update.sender_company = plain.pop(0)


def _read_companies(text: str, update: BriefUpdate, own_domains: set[str]) -> None:
    found = list(update.companies)
    for clause in _CLAUSE_SPLIT.split(text):
        if _SELF_SITE.search(clause):
            continue
        urls = _URL.findall(clause)
        for url in urls:
            found.append(url.rstrip(".,"))
        for match in _DOMAIN.finditer(_URL.sub(" ", clause)):
            host = match.group().rstrip(".,")
            if _site(host.split("/", 1)[0]) not in own_domains | {None}:
                found.append(host)
    update.companies = list(dict.fromkeys(found))


def _site(host: str) -> str | None:
    """The registrable domain of a host with a public suffix (or an RFC 2606 test name), else None."""
    parts = _TLD(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}".lower()
    labels = host.lower().split(".")
    if len(labels) >= 2 and labels[-1] in _TEST_TLDS:
        return ".".join(labels[-2:])
    return None


def _address_span(line: str) -> tuple[int, int] | None:
    cue = _ADDRESS_CUE.search(line)
    street = _STREET.search(line, cue.end() if cue else 0)
    if cue and (street is None or street.start() - cue.end() < 40):
        start = cue.end()
    elif street and "," in line[street.end():] + line[:street.start()][-3:] and _has_place(line[street.end():]):
        start = street.start()
    else:
        return None
    end = len(line)
    email = EMAIL.search(line, start)
    if email:
        end = email.start()
    return start, end


def _has_place(text: str) -> bool:
    """A city, postcode or region after the street: a capitalised word or a number group."""
    return bool(re.search(r"[A-Z][a-z]+|\b\d{4,5}\b|\b[A-Z]{1,2}\d", text))


def _clean_address(text: str) -> str:
    return " ".join(text.split()).strip(" ,;.")[:300]


def _fill_asked(text: str, asked: str, update: BriefUpdate) -> None:
    text = text.rstrip(".!").strip()
    if not text:
        return
    if asked == "icp":
        _assign("icp", text, update, replace=True)
    elif asked in ("sender_name", "sender_company") and "," in text:
        _sender_parts(text, update)
    elif asked in ("offer", "sender_name", "sender_company", "sender_email", "postal_address", "name"):
        _assign(asked, text, update, replace=True)


def _items(value: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|/|\band\b|\bor\b|&)\s*", value)
    return list(dict.fromkeys(p.strip(" .") for p in parts if p.strip(" .")))


def _number(text: str) -> int | None:
    match = re.search(r"\d{1,2}", text)
    if match:
        return int(match.group())
    word = text.strip().lower()
    return _NUMBER_WORDS.get(word)


def _steps(text: str) -> int | None:
    match = _STEPS.search(text)
    if match:
        return _NUMBER_WORDS.get(match["n"].lower()) or int(match["n"])
    match = _FOLLOW_UPS.search(text)
    if match:
        return (_NUMBER_WORDS.get(match["n"].lower()) or int(match["n"])) + 1
    return None
