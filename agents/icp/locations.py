"""Location normalisation and matching: company location strings and ICP location terms become
``Place`` objects (countries, US/Canadian state, cities, remote) that compare at the ICP's grain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import pycountry

from agents.icp.phrases import fold
from agents.icp.regions import ANYWHERE, CITIES, CITY_ALIASES, COUNTRY_ALIASES, METROS, REGIONS
from core.models import Company


@dataclass(frozen=True)
class Place:
    countries: frozenset[str] = frozenset()  # ISO alpha-2; several for a region
    state: str | None = None  # "US-CA"
    cities: frozenset[str] = frozenset()  # folded city names
    remote: bool = False
    anywhere: bool = False

    @property
    def known(self) -> bool:
        return bool(self.countries or self.state or self.cities)


class Verdict(Enum):
    MATCH = "match"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"


def _key(text: str) -> str:
    return fold(text).replace(".", "").strip(" ()").removeprefix("the ")


@lru_cache(maxsize=2048)
def country_code(text: str, *, allow_alpha2: bool = True) -> str | None:
    key = _key(text)
    if not key:
        return None
    if key in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[key]
    if len(key) == 2 and not allow_alpha2:
        return None
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        return None


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, str]:
    """State/province codes and names of the US and Canada -> ISO subdivision code."""
    table: dict[str, str] = {}
    for country in ("US", "CA"):
        for sub in pycountry.subdivisions.get(country_code=country) or []:
            table.setdefault(_key(sub.name), sub.code)
            table.setdefault(f"{country}:{sub.code.split('-')[1].lower()}", sub.code)
    table.setdefault("washington dc", "US-DC")
    return table


def state_code(text: str, country: str | None = None) -> str | None:
    """"CA"/"California" -> "US-CA" (codes only when the country is US/CA or unknown)."""
    key = _key(text)
    table = _subdivisions()
    if len(key) == 2:
        for c in ((country,) if country in ("US", "CA") else ("US", "CA") if country is None else ()):
            if f"{c}:{key}" in table:
                return table[f"{c}:{key}"]
        return None
    code = table.get(key)
    if code and (country is None or code.startswith(country + "-")):
        return code
    return None


def _city(text: str) -> tuple[str, str, str] | None:
    key = CITY_ALIASES.get(_key(text), _key(text))
    if key in CITIES:
        country, state = CITIES[key]
        return key, country, state
    return None


def company_places(company: Company) -> list[tuple[str, Place]]:
    """Every location the company states (``locations`` entries split on ";", then ``country``)."""
    texts = [p.strip() for loc in company.locations for p in loc.split(";") if p.strip()]
    if company.country:
        texts.append(company.country)
    return [(t, parse_location(t)) for t in texts]


def parse_location(text: str) -> Place:
    """One company location string: "San Francisco, CA, USA", "London, England, United Kingdom",
    "Remote", "Berlin"."""
    parts = [p for p in (s.strip() for s in text.split(",")) if p]
    remote = any("remote" in _key(p).split() for p in parts)
    # "Remote (US)", "Remote - Europe": keep what the remote note is restricted to.
    parts = [
        " ".join(w for w in _key(p).split() if w != "remote") if "remote" in _key(p).split() else p
        for p in parts
    ]
    parts = [p for p in parts if p]
    country = None
    for i in range(len(parts) - 1, -1, -1):
        # A trailing 2-letter code after a city ("Austin, TX") is a state, not a country.
        is_state_slot = len(parts) > 1 and i > 0 and state_code(parts[i], "US") is not None
        code = None if is_state_slot else country_code(parts[i], allow_alpha2=len(parts) > 1 or len(_key(parts[i])) != 2)
        if code:
            country = code
            break
    state = None
    for p in parts[1:] if len(parts) > 1 else parts:
        state = state or state_code(p, country)
    cities: set[str] = set()
    if parts:
        found = _city(parts[0])
        if found:
            city, c_country, c_state = found
            if country in (None, c_country):
                cities.add(city)
                country = country or c_country
                if c_state and state is None:
                    state = f"{c_country}-{c_state}"
        elif len(parts) > 1 and country_code(parts[0]) is None and state_code(parts[0]) is None:
            cities.add(CITY_ALIASES.get(_key(parts[0]), _key(parts[0])))
    if state and country is None:
        country = state.split("-")[0]
    if country is None and not state and not cities and len(parts) == 1:
        region = REGIONS.get(_key(parts[0]))
        if region:
            return Place(countries=region, remote=remote)
    return Place(frozenset({country}) if country else frozenset(), state, frozenset(cities), remote)


@lru_cache(maxsize=1024)
def parse_target(term: str) -> Place | None:
    """An ICP location term: a region, country, state, metro, city, "Remote" or "anywhere".
    None when the term is not recognised."""
    key = _key(term)
    if key in ANYWHERE:
        return Place(anywhere=True)
    if key in ("remote", "fully remote", "remote first", "remote-first"):
        return Place(remote=True)
    if key in REGIONS:
        return Place(countries=REGIONS[key])
    if key in METROS:
        return Place(countries=frozenset({"US"}), state="US-CA", cities=METROS[key])
    city = _city(term)
    # "New York" names the state; "New York City"/"NYC" the city.
    if city and key not in ("new york", "washington"):
        name, country, city_state = city
        return Place(frozenset({country}), f"{country}-{city_state}" if city_state else None, frozenset({name}))
    code = country_code(term)
    state = state_code(term) if len(key) > 2 else None
    if code and (key in COUNTRY_ALIASES or state is None):
        return Place(frozenset({code}))
    if state:
        return Place(frozenset({state.split("-")[0]}), state)
    place = parse_location(term)
    return place if place.known else None


def compare(place: Place, target: Place) -> Verdict:
    """Does one company place satisfy one ICP target, at the target's grain?"""
    if target.anywhere:
        return Verdict.MATCH
    if target.remote and not target.known:
        # Few sites say they are not remote, so a missing "remote" is unknown, not a mismatch.
        return Verdict.MATCH if place.remote else Verdict.UNKNOWN
    if not place.countries:
        return Verdict.UNKNOWN
    if target.countries and not place.countries & target.countries:
        return Verdict.MISMATCH
    if target.countries and not place.countries <= target.countries:
        return Verdict.UNKNOWN  # a company-side region only partly inside the target
    if target.state:
        if place.state is None:
            return Verdict.UNKNOWN
        if place.state != target.state:
            return Verdict.MISMATCH
    if target.cities:
        if not place.cities:
            return Verdict.UNKNOWN
        return Verdict.MATCH if place.cities & target.cities else Verdict.MISMATCH
    return Verdict.MATCH
