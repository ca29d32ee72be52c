"""Schema.org JSON-LD on a page: every block parsed leniently, Organization and Person pulled out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser

_ORG_TYPES = {
    "organization", "corporation", "localbusiness", "ngo", "educationalorganization",
    "governmentorganization", "medicalorganization", "onlinebusiness", "onlinestore",
    "professionalservice", "store", "sportsorganization", "researchorganization", "project",
    "newsmediaorganization", "softwarecompany",
}
# Properties that point at some *other* party (a reviewer, a university, a parent company, a brand the
# site sells), and types whose people are customers or commenters: none of them is the company or its staff.
_FOREIGN_KEYS = {
    "review", "reviews", "itemreviewed", "alumniof", "memberof", "affiliation", "parentorganization",
    "suborganization", "funder", "sponsor", "competitor", "brand", "manufacturer", "knows", "comment",
    # A person's employer may be another firm (a guest author, an investor); PersonInfo.works_for
    # still reads its name.
    "worksfor",
}
_FOREIGN_TYPES = {"review", "employerreview", "rating", "aggregaterating", "comment", "question", "answer", "quotation"}


@dataclass
class OrgInfo:
    name: str | None = None
    description: str | None = None
    employees: int | None = None
    addresses: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    same_as: list[str] = field(default_factory=list)
    email: str | None = None
    founding_date: str | None = None
    url: str | None = None
    emails: list[str] = field(default_factory=list)  # ``email`` and every ContactPoint's address


@dataclass
class PersonInfo:
    name: str
    job_title: str | None = None
    email: str | None = None
    works_for: str | None = None


def _loads(raw: str) -> Any:
    text = raw.strip()
    text = re.sub(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text)
    text = re.sub(r"(-->|//\s*\]\]>|\]\]>)\s*$", "", text).strip()
    for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _walk(node: Any) -> Iterator[dict]:
    """Every dict in the document, including @graph members and nested values, except what sits under
    a review or a property naming another party (see ``_FOREIGN_KEYS``)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if _types(item) & _FOREIGN_TYPES:
                continue
            yield item
            stack.extend(
                v for k, v in reversed(list(item.items()))
                if isinstance(v, (dict, list)) and str(k).lower() not in _FOREIGN_KEYS
            )


def jsonld_items(html: str | LexborHTMLParser) -> list[dict]:
    """All JSON-LD objects on the page, flattened; blocks that are not JSON are skipped."""
    tree = LexborHTMLParser(html) if isinstance(html, str) else html
    items: list[dict] = []
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").lower()
        if "ld+json" not in kind:
            continue
        data = _loads(script.text(deep=True) or "")
        if data is not None:
            items.extend(_walk(data))
    return items


def _types(item: dict) -> set[str]:
    kind = item.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds}


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _number(value: Any) -> int | None:
    """numberOfEmployees: 12, "12", "10-50", QuantitativeValue{value} or {minValue,maxValue}."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        if value.get("value") is not None:
            return _number(value["value"])
        low, high = _number(value.get("minValue")), _number(value.get("maxValue"))
        if low is not None and high is not None:
            return (low + high) // 2
        return low if low is not None else high
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 0 else None
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", str(value))]
    if len(numbers) >= 2:
        return (numbers[0] + numbers[1]) // 2
    return numbers[0] if numbers else None


def _address(value: Any) -> tuple[str | None, str | None]:
    """(address text, country) from a PostalAddress, a Place, or a plain string."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return (" ".join(value.split()) or None), None
    if not isinstance(value, dict):
        return None, None
    if "address" in value and not value.get("addressLocality"):
        return _address(value["address"])
    country = _text(value.get("addressCountry"))
    parts = [_text(value.get(k)) for k in ("streetAddress", "addressLocality", "addressRegion", "postalCode")]
    parts.append(country)
    text = ", ".join(p for p in parts if p)
    return (text or None), country


def _email(value: Any) -> str | None:
    text = _text(value)
    if not text:
        return None
    text = text.removeprefix("mailto:").strip()
    return text if "@" in text else None


def organizations(items: list[dict]) -> list[OrgInfo]:
    orgs: list[OrgInfo] = []
    for item in items:
        if not _types(item) & _ORG_TYPES:
            continue
        points = item.get("contactPoint") or []
        points = points if isinstance(points, list) else [points]
        emails = [e for v in [item.get("email"), *(p.get("email") for p in points if isinstance(p, dict))]
                  if (e := _email(v))]
        org = OrgInfo(
            name=_text(item.get("name")) or _text(item.get("legalName")),
            description=_text(item.get("description")),
            employees=_number(item.get("numberOfEmployees")),
            email=emails[0] if emails else None,
            founding_date=_text(item.get("foundingDate")),
            url=_text(item.get("url")),
            emails=list(dict.fromkeys(emails)),
        )
        places = []
        for key in ("address", "location", "foundingLocation"):
            value = item.get(key)
            places.extend(value if isinstance(value, list) else [value] if value else [])
        for place in places:
            text, country = _address(place)
            if text and text not in org.addresses:
                org.addresses.append(text)
            if country and country not in org.countries:
                org.countries.append(country)
        same_as = item.get("sameAs") or []
        org.same_as = [str(s) for s in (same_as if isinstance(same_as, list) else [same_as])]
        orgs.append(org)
    return orgs


def persons(items: list[dict]) -> list[PersonInfo]:
    people: list[PersonInfo] = []
    for item in items:
        if "person" not in _types(item):
            continue
        name = _text(item.get("name"))
        if not name:
            given, family = _text(item.get("givenName")), _text(item.get("familyName"))
            name = " ".join(p for p in (given, family) if p) or None
        if not name:
            continue
        people.append(PersonInfo(
            name=name,
            job_title=_text(item.get("jobTitle")),
            email=_email(item.get("email")),
            works_for=_text(item.get("worksFor")),
        ))
    return people


def job_titles(items: list[dict]) -> list[str]:
    """Titles of JobPosting objects (a careers page's structured list of open roles)."""
    return [t for item in items if "jobposting" in _types(item) if (t := _text(item.get("title")))]
