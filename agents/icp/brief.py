"""Reading an ICP out of a brief's free text ("Seed-stage devtools startups in the US or UK with
5-50 people that are hiring engineers, no crypto"), and the effective ICP of a campaign brief."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

from agents.icp.industries import TAXONOMY
from agents.icp.phrases import fold, phrase_pattern
from agents.icp.regions import (
    ANYWHERE,
    CITIES,
    CITY_ALIASES,
    COUNTRY_ALIASES,
    DEMONYMS,
    METROS,
    REGIONS,
)
from agents.icp.signals import SIGNAL_VOCABULARY
from core.models import ICP, CampaignBrief

_UNIT = r"(?:people|persons?|employees|staff|ftes?|team members|headcount|employee|person|folks)"
_NUM = r"(\d[\d,]*)"
_SIZE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"between {_NUM} and {_NUM} {_UNIT}"), "range"),
    (re.compile(rf"{_NUM}\s*(?:-|–|—|to)\s*{_NUM}\s*{_UNIT}"), "range"),
    (re.compile(rf"(?:headcount|team size|team sizes|employees|teams? of)\s*(?:of|between|from)?\s*{_NUM}\s*(?:-|–|—|to|and)\s*{_NUM}"), "range"),
    (re.compile(rf"(?:under|fewer than|less than|below|<)\s*{_NUM}\s*{_UNIT}"), "below"),
    (re.compile(rf"(?:up to|at most|no more than|max(?:imum)?(?: of)?|<=)\s*{_NUM}\s*{_UNIT}"), "max"),
    (re.compile(rf"{_NUM}\s*{_UNIT}\s*or (?:fewer|less)"), "max"),
    (re.compile(rf"(?:over|more than|above|>)\s*{_NUM}\s*{_UNIT}"), "above"),
    (re.compile(rf"(?:at least|min(?:imum)?(?: of)?|>=)\s*{_NUM}\s*{_UNIT}"), "min"),
    (re.compile(rf"{_NUM}\s*(?:\+|or more)\s*{_UNIT}"), "min"),
]
_EXCLUDE = re.compile(
    r"(?:^|[\s,;(])(?:no|not|excluding|exclude|except|without|but not|other than|avoid|never)\s+"
    r"([a-z0-9][^,.;()]*)"
)
_LIST_SPLIT = re.compile(r"\s+(?:or|and|nor)\s+|\s*/\s*|\s*&\s*")
_FILLER = re.compile(r"\b(?:companies|company|startups?|businesses|firms|teams|orgs|organizations|ones)\b")
_ROLE_STOP = frozenset("in at on for from with and or that who which are is to the a of across".split())
_PLACE_CUES = frozenset(
    "in from across within based located headquartered throughout near around inside".split()
)
_LIST_WORDS = frozenset({"or", "and", "&", "/", ","})
_HIRING = re.compile(r"\b(?:hiring|recruiting)((?:\s+[a-z][a-z+#.-]*){0,3})")
# Acronyms that name a place only when written in capitals ("US", not "us").
_CODES = frozenset(
    "us usa uk gb uae eu eu27 apac emea latam mena dach anz cee gcc sea nyc sf la uk&i".split()
)
_AMBIGUOUS_NAMES = frozenset({"turkey", "jordan", "georgia", "china", "chad", "guinea", "niger", "mali"})


def icp_from_text(text: str) -> ICP:
    """Map free text to ICP fields. Exclusions and sizes are read first and removed, so "no
    crypto" never becomes an industry and "50 people" never a signal."""
    return _parse(text).model_copy(deep=True)


@lru_cache(maxsize=256)
def _parse(text: str) -> ICP:
    lowered = re.sub(r"[\u2010-\u2015]", "-", text.lower())  # keep "5-50" intact for sizes
    low, high, rest = _sizes(lowered)
    exclude, folded = _exclusions(fold(rest))
    signals, folded = _signals(folded)
    return ICP(
        industries=_industries(folded),
        locations=_locations(text),
        min_employees=low,
        max_employees=high,
        signals=signals,
        exclude=exclude,
    )


def effective_icp(brief: CampaignBrief) -> ICP:
    """Explicit ICP fields win; empty ones are filled from ``brief.description``."""
    if not brief.description.strip():
        return brief.icp
    parsed = icp_from_text(brief.description)
    icp = brief.icp
    low = icp.min_employees if icp.min_employees is not None else parsed.min_employees
    high = icp.max_employees if icp.max_employees is not None else parsed.max_employees
    if low is not None and high is not None and low > high:  # keep what was set explicitly
        low, high = (icp.min_employees, icp.max_employees) if icp.min_employees is not None else (None, high)
        if low is not None and high is not None and low > high:
            high = None
    return ICP(
        industries=icp.industries or parsed.industries,
        locations=icp.locations or parsed.locations,
        min_employees=low,
        max_employees=high,
        signals=icp.signals or parsed.signals,
        exclude=icp.exclude or parsed.exclude,
    )


def _sizes(text: str) -> tuple[int | None, int | None, str]:
    low = high = None
    for pattern, kind in _SIZE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        numbers = [int(g.replace(",", "")) for g in m.groups()]
        if kind == "range":
            low, high = min(numbers), max(numbers)
        elif kind in ("below", "max"):
            high = numbers[0] - 1 if kind == "below" else numbers[0]
        else:
            low = numbers[0] + 1 if kind == "above" else numbers[0]
        text = text[: m.start()] + " " + text[m.end():]
    if low is not None and high is not None and low > high:
        low = high = None
    return low, high, text


def _exclusions(text: str) -> tuple[list[str], str]:
    found: list[str] = []
    for m in _EXCLUDE.finditer(text):
        phrase = _FILLER.sub(" ", m.group(1))
        for part in _LIST_SPLIT.split(phrase):
            term = " ".join(part.split())
            if term and term not in found and len(term) > 1:
                found.append(term)
    return found, _EXCLUDE.sub(" ", text)


def _signals(text: str) -> tuple[list[str], str]:
    found: list[tuple[int, str]] = []
    m = _HIRING.search(text)
    if m:
        role: list[str] = []
        end = m.start(1)
        for word in re.finditer(r"\S+", m.group(1)):
            if word.group() in _ROLE_STOP:
                break
            role.append(word.group())
            end = m.start(1) + word.end()
        found.append((m.start(), " ".join(["hiring", *role])))
        text = text[: m.start()] + " " + text[end:]
    for kind, phrases in SIGNAL_VOCABULARY.items():
        if kind in ("hiring", "tech", "growth"):  # too common as plain words in a brief
            continue
        strong = [p for p in (kind, *phrases) if p not in ("news", "press", "release", "investment")]
        for phrase in strong:
            hit = phrase_pattern(phrase).search(text)
            if hit:
                found.append((hit.start(), kind))
                text = text[: hit.start()] + " " + text[hit.end():]
                break
    return [s for _, s in sorted(found)], text


def _industries(text: str) -> list[str]:
    hits: list[tuple[int, str]] = []
    for canonical, synonyms in TAXONOMY.items():
        starts = [m.start() for p in (canonical, *synonyms) for m in [phrase_pattern(p).search(text)] if m]
        if starts:
            hits.append((min(starts), canonical))
    return [c for _, c in sorted(hits)]


@lru_cache(maxsize=1)
def _place_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names[fold(value)] = value
    for key in (*COUNTRY_ALIASES, *REGIONS, *METROS, *CITIES, *CITY_ALIASES, *ANYWHERE):
        names.setdefault(key, key)
    for sub in pycountry.subdivisions.get(country_code="US") or []:
        names[fold(sub.name)] = sub.name
    for key in ("remote", "remote first", "fully remote", "remote friendly"):
        names[key] = "Remote"
    return names


def _locations(text: str) -> list[str]:
    """Place names, accepted only in a place context ("in the US or UK", "UK-based", "European")."""
    tokens = [(m.group(), m.start()) for m in re.finditer(r"[A-Za-z][A-Za-z.&'-]*[A-Za-z.]|[A-Za-z]|,|/|&", text)]
    words = [t.strip(".").replace("-based", "") if t not in ("U.S.", "U.K.") else t for t, _ in tokens]
    names = _place_names()
    found: list[str] = []
    last_place_end = -10
    i = 0
    while i < len(words):
        for n in (4, 3, 2, 1):
            chunk = words[i : i + n]
            if len(chunk) < n:
                continue
            raw = " ".join(chunk)
            key = fold(raw).replace(".", "")
            if key.startswith("the "):
                continue
            demonym = DEMONYMS.get(key)
            if key not in names and demonym is None:
                continue
            if key in ANYWHERE:
                i += n - 1
                break
            if not _plausible(raw, key, demonym is not None):
                continue
            before = [fold(w) for w in words[max(0, i - 3) : i]]
            after = tokens[i + n - 1][0].lower().endswith("-based") or (
                i + n < len(words) and fold(words[i + n]) in ("based", "-based")
            )
            chained = i - last_place_end <= 2 and (not before or before[-1] in _LIST_WORDS or before[-1] == "the")
            code = key in _CODES and raw.replace(".", "").isupper()
            if demonym or code or after or chained or _PLACE_CUES & set(before) or names[key] == "Remote":
                value = demonym or ("Remote" if names[key] == "Remote" else raw)
                if value not in found:
                    found.append(value)
                last_place_end = i + n
                i += n - 1
                break
        i += 1
    return found


def _plausible(raw: str, key: str, demonym: bool) -> bool:
    """Short codes must be upper case ("US", not "us"); names capitalised unless unambiguous."""
    if key.startswith("remote") or key.endswith("remote"):
        return True
    if key in _CODES:
        return raw.replace(".", "").replace(" ", "").isupper()
    if demonym or key in _AMBIGUOUS_NAMES:
        return raw[0].isupper()
    return raw[0].isupper() or len(key) >= 5
