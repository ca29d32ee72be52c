"""Where a company is: location phrases and postal addresses in page text, normalised to a country name."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

_OVERRIDES = {"KR": "South Korea", "KP": "North Korea", "RU": "Russia", "CZ": "Czechia", "TR": "Turkey",
              "CD": "DR Congo", "LA": "Laos", "SY": "Syria", "MD": "Moldova", "TZ": "Tanzania"}
_ALIASES = {
    "USA": "United States", "U.S.A.": "United States", "U.S.": "United States", "US": "United States",
    "United States of America": "United States", "America": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Great Britain": "United Kingdom",
    "Britain": "United Kingdom", "England": "United Kingdom", "Scotland": "United Kingdom",
    "Wales": "United Kingdom", "Northern Ireland": "United Kingdom", "Deutschland": "Germany",
    "Holland": "Netherlands", "The Netherlands": "Netherlands", "Czech Republic": "Czechia",
    "Türkiye": "Turkey", "UAE": "United Arab Emirates", "Schweiz": "Switzerland", "Suisse": "Switzerland",
    "Österreich": "Austria", "España": "Spain", "Italia": "Italy", "Sverige": "Sweden", "Norge": "Norway",
    "Danmark": "Denmark", "Suomi": "Finland", "Polska": "Poland", "Brasil": "Brazil",
    "Allemagne": "Germany", "Royaume-Uni": "United Kingdom", "États-Unis": "United States",
    "Korea": "South Korea", "Ivory Coast": "Côte d'Ivoire",
}
# US states (codes are only trusted after a comma: "Austin, TX"); Georgia is left to the country.
_US_STATES = {s.name: s.code[3:] for s in pycountry.subdivisions.get(country_code="US") if s.name != "Georgia"}
_CA_PROVINCES = {s.name for s in pycountry.subdivisions.get(country_code="CA")}
# Major business cities, so "based in Berlin" yields a country without the country being named.
_CITIES = {
    "New York": "United States", "San Francisco": "United States", "Los Angeles": "United States",
    "Seattle": "United States", "Boston": "United States", "Austin": "United States", "Chicago": "United States",
    "Denver": "United States", "Atlanta": "United States", "Miami": "United States", "Palo Alto": "United States",
    "Mountain View": "United States", "San Diego": "United States", "Brooklyn": "United States",
    "Toronto": "Canada", "Montreal": "Canada", "Montréal": "Canada", "Vancouver": "Canada", "Ottawa": "Canada",
    "London": "United Kingdom", "Manchester": "United Kingdom", "Edinburgh": "United Kingdom",
    "Cambridge": "United Kingdom", "Bristol": "United Kingdom", "Dublin": "Ireland", "Berlin": "Germany",
    "Munich": "Germany", "München": "Germany", "Hamburg": "Germany", "Frankfurt": "Germany",
    "Cologne": "Germany", "Köln": "Germany", "Stuttgart": "Germany", "Paris": "France", "Lyon": "France",
    "Amsterdam": "Netherlands", "Rotterdam": "Netherlands", "Utrecht": "Netherlands", "Brussels": "Belgium",
    "Zurich": "Switzerland", "Zürich": "Switzerland", "Geneva": "Switzerland", "Vienna": "Austria",
    "Wien": "Austria", "Madrid": "Spain", "Barcelona": "Spain", "Lisbon": "Portugal", "Milan": "Italy",
    "Rome": "Italy", "Stockholm": "Sweden", "Copenhagen": "Denmark", "Oslo": "Norway", "Helsinki": "Finland",
    "Warsaw": "Poland", "Krakow": "Poland", "Prague": "Czechia", "Budapest": "Hungary", "Tallinn": "Estonia",
    "Tel Aviv": "Israel", "Dubai": "United Arab Emirates", "Bangalore": "India", "Bengaluru": "India",
    "Mumbai": "India", "Delhi": "India", "Singapore": "Singapore", "Tokyo": "Japan", "Seoul": "South Korea",
    "Sydney": "Australia", "Melbourne": "Australia", "Auckland": "New Zealand", "São Paulo": "Brazil",
    "Mexico City": "Mexico", "Buenos Aires": "Argentina", "Lagos": "Nigeria", "Nairobi": "Kenya",
    "Cape Town": "South Africa", "Shanghai": "China", "Beijing": "China", "Shenzhen": "China",
    "Hong Kong": "Hong Kong", "Taipei": "Taiwan",
}
_PLACE_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
_PLACE = rf"{_PLACE_WORD}(?:\s+(?:de|del|da|do|am|an|upon|on|sur)?\s*{_PLACE_WORD})*"
_PLACE_LIST = rf"{_PLACE}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+und\s+|\s+et\s+){_PLACE})*"
_TRIGGER = re.compile(
    r"(?i:(?:(?:headquartered|headquarters(?:\s+(?:is|are))?|\bHQ\b(?:\s+(?:is|are))?|head\s+office(?:\s+is)?|based"
    r"|located|offices?|hubs?|studios?|sitz|basée?s?|situé(?:e|s)?|ansässig|registered)"
    r"\s*(?:in|at|:|out\s+of|à|en)|home\s+base\s*(?:is(?:\s+in)?|:)|main\s+office\s*(?:is(?:\s+in)?|:))"
    r"\s+(?:(?:the|beautiful|sunny|vibrant|historic)\s+)*)(" + _PLACE_LIST + ")",
)
# "430 Market Street, San Francisco": a house number and a street word.
_STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-ZÀ-Þ][\w'’.-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Way|Boulevard|Blvd|Lane|Ln"
    r"|Drive|Dr|Place|Pl|Square|Sq|Court|Ct|Parkway|Pkwy|Plaza|Terrace|Highway|Hwy|Row|Quay|Strasse|Straße)\b\.?,"
)
_US_ADDRESS = re.compile(r"\b([A-Z][\w .'-]+),\s*([A-Z]{2})\s+\d{5}(?:-\d{4})?\b")


def _display(country) -> str:
    if country.alpha_2 in _OVERRIDES:
        return _OVERRIDES[country.alpha_2]
    return getattr(country, "common_name", None) or country.name.split(",")[0]


@lru_cache(maxsize=1)
def _country_names() -> list[tuple[str, str]]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        display = _display(country)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names[value] = display
        names[display] = display
    names.update(_ALIASES)
    for state in _US_STATES:
        names.setdefault(state, "United States")
    for province in _CA_PROVINCES:
        names.setdefault(province, "Canada")
    for city, country_name in _CITIES.items():
        names.setdefault(city, country_name)
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=1)
def _place_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every known place name, longest first (so at any position the
    longest name wins); compiled once instead of one regex per name per call."""
    names = _country_names()
    alternation = "|".join(re.escape(name) for name, _ in names)
    return re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])"), dict(names)


def _place_matches(text: str) -> dict[str, str]:
    """Category -> country of the longest matching name (ties: the first), each span used once."""
    pattern, countries = _place_pattern()
    found: dict[str, str] = {}
    spans = sorted(pattern.finditer(text), key=lambda m: (-len(m.group(0)), m.start()))
    for match in spans:
        name = match.group(0)
        if name in _US_STATES or name in _CA_PROVINCES:
            category = "region"
        elif name in _CITIES:
            category = "city"
        else:
            category = "country"
        found.setdefault(category, countries[name])
    masked = pattern.sub(lambda m: " " * len(m.group(0)), text)
    code = re.search(r",\s*([A-Z]{2})\b(?:\s+\d{5})?", masked)
    if code and code.group(1) in _US_STATES.values():
        found.setdefault("region_code", "United States")
    return found


def country_of(text: str, *, allow_code: bool = False) -> str | None:
    """Country named or implied by a place string ("Austin, TX" -> "United States"); None if unsure.

    An explicit country wins over a US state or Canadian province, which wins over a known city.
    """
    text = (text or "").strip()
    if not text:
        return None
    if allow_code and re.fullmatch(r"[A-Za-z]{2,3}", text):
        code = text.upper()
        if code in ("UK", "US"):
            return _ALIASES[code]
        found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
        if found:
            return _display(found)
    matches = _place_matches(text)
    for category in ("country", "region_code", "region", "city"):
        if category in matches:
            return matches[category]
    return None


def _explicit_country(text: str) -> str | None:
    return _place_matches(text).get("country")


def _split_places(phrase: str) -> list[str]:
    """'London, Berlin and Austin, TX' -> ['London', 'Berlin', 'Austin, TX']."""
    tokens = [t.strip() for t in re.split(r"\s*,\s*|\s+and\s+|\s*&\s*|\s+und\s+|\s+et\s+", phrase) if t.strip()]
    places: list[str] = []
    for token in tokens:
        qualifier = "United States" if token in _US_STATES.values() else country_of(token)
        is_qualifier = qualifier is not None and (
            token in _US_STATES or token in _US_STATES.values() or token in _CA_PROVINCES
            or _explicit_country(token) is not None
        )
        if places and is_qualifier and _explicit_country(places[-1]) is None and (
            country_of(places[-1]) in (None, qualifier)
        ):
            places[-1] = f"{places[-1]}, {token}"
        else:
            places.append(token)
    return places


def location_mentions(text: str) -> list[tuple[str, str, bool]]:
    """(place, sentence, is_headquarters) for 'Headquartered in X' / 'based in X' / 'offices in X, Y'."""
    found: list[tuple[str, str, bool]] = []
    for line in text.split("\n"):
        for match in _TRIGGER.finditer(line):
            trigger = match.group(0).lower()
            is_hq = any(w in trigger for w in (
                "headquarter", "hq", "head office", "based", "sitz", "registered", "home base", "main office"))
            sentence = _sentence_around(line, match.start(), match.end())
            for place in _split_places(match.group(1)):
                if country_of(place) or len(place.split()) <= 3:
                    found.append((place, sentence, is_hq))
    return found


def address_lines(text: str) -> list[str]:
    """Short lines that look like postal addresses (a number plus a country, a US state+ZIP, or a city)."""
    lines = []
    for line in text.split("\n"):
        line = line.strip(" |")
        if not (8 <= len(line) <= 160) or not re.search(r"\d", line):
            continue
        if _US_ADDRESS.search(line) or (
            (re.search(r"\b\d{4,6}\b", line) or _STREET.search(line)) and country_of(line)
        ):
            lines.append(line)
    return lines


def _sentence_around(line: str, start: int, end: int) -> str:
    left = max(line.rfind(". ", 0, start), line.rfind("! ", 0, start), line.rfind("? ", 0, start))
    right_candidates = [i for i in (line.find(". ", end), line.find("! ", end), line.find("? ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(line)
    return line[left + 2 if left >= 0 else 0 : right].strip()
