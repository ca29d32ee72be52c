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
# Postcodes distinctive enough to name their country on their own: "LS1 5JL", "EC4R 1BE"; "M5V 2T6".
_POSTCODES = (
    (re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s\d[ABD-HJLNP-UW-Z]{2}\b"), "United Kingdom"),
    (re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d\b"), "Canada"),
)
# The line above a "10119 Berlin" / "Austin, TX 78704" line: "Torstraße 123", "1100 S Lamar Blvd, Suite 100".
_STREET_LINE = re.compile(
    r"^(?:\d{1,5}[A-Za-z]?\s+\S.*|[A-ZÀ-Þ][\w'’.-]*(?:\s+[\w'’.-]+){0,3}\s+\d{1,5}[a-zA-Z]?(?:[-/]\d+)?"
    r"|.*\b(?:Suite|Ste|Unit|Floor|Building|Bldg)\b.*)$"
)
# Words a trigger phrase can run into that are not part of the place: "Registered in England & Wales No. 123".
_NOT_PLACE_TAIL = {"No", "Nr", "Reg", "Company", "Number", "Registration", "Ltd", "Limited", "Inc", "LLC", "GmbH"}


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
    for postcode, country in _POSTCODES:
        if postcode.search(text):
            found.setdefault("postcode", country)
    return found


def country_of(text: str, *, allow_code: bool = False) -> str | None:
    """Country named or implied by a place string ("Austin, TX" -> "United States"); None if unsure.

    An explicit country wins over a US state or Canadian province, then a UK or Canadian postcode,
    then a known city.
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
    for category in ("country", "region_code", "region", "postcode", "city"):
        if category in matches:
            return matches[category]
    return None


def _explicit_country(text: str) -> str | None:
    return _place_matches(text).get("country")


def is_country_name(text: str) -> bool:
    """"Germany", "UK", "England": the whole text names a country and nothing narrower."""
    name = text.strip()
    return any(known == name and country == _explicit_country(name) for known, country in _country_names())


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
        # A qualifier narrows the place before it when they agree ("Austin, TX", "Toronto, Canada"). A state
        # code also narrows a city of another country ("Dublin, CA"), and a country a "City, XX" place
        # ("Curitiba, PR, Brazil"; PR is also Puerto Rico's code). "London, Berlin and New York" stay three.
        previous = _place_matches(places[-1]) if places else {}
        code_after_city = token in _US_STATES.values() and set(previous) <= {"city"}
        country_after_code = _explicit_country(token) is not None and "region_code" in previous
        if places and is_qualifier and "country" not in previous and (
            country_of(places[-1]) in (None, qualifier) or code_after_city or country_after_code
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
            # "Registered in England and Wales" names a jurisdiction, not where the company works.
            is_hq = any(w in trigger for w in (
                "headquarter", "hq", "head office", "based", "sitz", "home base", "main office"))
            sentence = _sentence_around(line, match.start(), match.end())
            words = match.group(1).split(" ")
            while len(words) > 1 and words[-1] in _NOT_PLACE_TAIL:
                words.pop()
            for place in _split_places(" ".join(words)):
                if country_of(place) or len(place.split()) <= 3:
                    found.append((place, sentence, is_hq))
    return found


_ADDRESS_LOWER_WORDS = {"de", "la", "le", "du", "del", "della", "da", "do", "dos", "van", "der", "den", "von", "am",
                        "an", "im", "of", "the", "upon", "on", "sur", "en", "y", "e", "rue", "via", "floor", "suite"}


def _is_address(text: str) -> bool:
    if not (8 <= len(text) <= 160) or not re.search(r"\d", text):
        return False
    # An address is names and numbers; "Over 1800 companies in Brazil use us" is a sentence.
    prose = [w for w in re.findall(r"\b[a-zà-ÿ][\w'’-]*", text) if w not in _ADDRESS_LOWER_WORDS]
    if len(prose) > 2:
        return False
    if _US_ADDRESS.search(text) or any(postcode.search(text) for postcode, _ in _POSTCODES):
        return True
    return bool((re.search(r"\b\d{4,6}\b", text) or _STREET.search(text)) and country_of(text))


def _address_part(line: str) -> str:
    """The address inside a footer line: "© 2024 Acme SAS, 12 Rue X, 75002 Paris, France. Write to us." keeps
    "Acme SAS, 12 Rue X, 75002 Paris, France"; "" when no part of the line is an address on its own."""
    parts = [p.strip() for p in re.split(r"\s+[·•|]\s+|(?<=[a-z0-9)])\.\s+(?=[A-Z©])", line) if p.strip()]
    kept = [p for p in parts if _is_address(p)]
    if not kept:
        return ""
    return re.sub(r"^(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*", "", ", ".join(kept), flags=re.I)


def address_lines(text: str) -> list[str]:
    """Short lines that look like postal addresses (a number plus a country, a US state+ZIP, a UK or
    Canadian postcode, or a city). An address set over several lines (street, then town, then country)
    comes back joined into one."""
    lines = [line.strip(" |") for line in text.split("\n")]
    found = []
    for i, line in enumerate(lines):
        part = _address_part(line) if re.search(r"\d", line) else ""
        if not part:
            continue
        parts = [part]
        before = lines[i - 1] if i > 0 else ""
        if before and len(before) <= 60 and _STREET_LINE.match(before) and not _is_address(before):
            parts.insert(0, before)
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if after and _explicit_country(after) and len(after.split()) <= 3 and not re.search(r"\d", after):
            parts.append(after)
        found.append(", ".join(parts))
    return found


def _sentence_around(line: str, start: int, end: int) -> str:
    left = max(line.rfind(". ", 0, start), line.rfind("! ", 0, start), line.rfind("? ", 0, start))
    right_candidates = [i for i in (line.find(". ", end), line.find("! ", end), line.find("? ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(line)
    return line[left + 2 if left >= 0 else 0 : right].strip()
