"""Merging provider data into scraped data: fill only what is missing, never overwrite a scraped
value; a disagreement becomes a `FieldConflict` that keeps both values and both sources."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from core.models import Company, Contact, FieldConflict
from tools.extract.domains import email_on_domain

COMPANY_FIELDS = ("name", "description", "industry", "country", "team_size", "locations", "keywords")
_STATUS_RANK = {None: 0, "guessed": 1, "role": 2, "found": 3}


def _norm(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _same_text(a: object, b: object) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} ")


def _same_title(a: str, b: str) -> bool:
    """"CEO" and "Chief Executive Officer" are one title."""
    def initials(text: str) -> str:
        return "".join(w[0] for w in _norm(text).split() if w not in ("of", "and", "the"))

    x, y = _norm(a).replace(" ", ""), _norm(b).replace(" ", "")
    return _same_text(a, b) or x == initials(b) or y == initials(a)


def _same_locations(scraped: list[str], offered: list[str]) -> bool:
    """One shared place is agreement: a provider lists a head office, a site lists every office."""
    places = {_norm(part) for loc in scraped for part in loc.split(",") if _norm(part)}
    return any(_norm(loc.split(",")[0]) in places for loc in offered)


def _same_size(scraped: int, offered: int, offered_range: tuple[int, int] | None) -> bool:
    if offered_range is not None:
        low, high = offered_range
        return low <= scraped <= high
    return scraped == offered


def _shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _agree(field: str, scraped: Any, offered: Any, offered_range: tuple[int, int] | None) -> bool:
    if field == "team_size":
        return _same_size(int(scraped), int(offered), offered_range)
    if field == "locations":
        return _same_locations(list(scraped), list(offered))
    if field in ("keywords", "description"):
        return True  # prose and topic lists always differ in wording; that is not a disagreement
    return _same_text(scraped, offered)


def _add_conflict(conflicts: list[FieldConflict], conflict: FieldConflict) -> None:
    if not any(c.model_dump() == conflict.model_dump() for c in conflicts):
        conflicts.append(conflict)


def merge_company(
    company: Company,
    offered: dict[str, Any],
    provider_source: str,
    *,
    team_size_range: tuple[int, int] | None = None,
) -> tuple[Company, list[str], list[FieldConflict]]:
    """(merged copy, fields filled, new conflicts). ``offered`` maps Company field names to the
    provider's values; empty values are ignored. Conflicts are also recorded on the copy."""
    merged = company.model_copy(deep=True)
    filled: list[str] = []
    conflicts: list[FieldConflict] = []
    for field in COMPANY_FIELDS:
        value = offered.get(field)
        if value is None or value == "" or value == []:
            continue
        current = getattr(merged, field)
        if current is None or current == "" or current == []:
            setattr(merged, field, value)
            merged.sources[field] = provider_source
            filled.append(field)
        elif not _agree(field, current, value, team_size_range):
            conflict = FieldConflict(
                field=field, scraped=_shown(current), scraped_source=merged.sources.get(field),
                enriched=_shown(value), provider_source=provider_source,
            )
            _add_conflict(conflicts, conflict)
    for conflict in conflicts:
        _add_conflict(merged.conflicts, conflict)
    return merged, filled, conflicts


def _person_key(name: str | None) -> str:
    return _norm(name or "").replace(" ", "")


def _fill_person(existing: Contact, offer: Contact, conflicts: list[FieldConflict], source: str) -> None:
    for attr in ("name", "title"):
        mine, theirs = getattr(existing, attr), getattr(offer, attr)
        if theirs and not mine:
            setattr(existing, attr, theirs)
            existing.sources[attr] = source
        elif theirs and mine and not _same_title(mine, theirs):
            conflicts.append(FieldConflict(
                field=f"contact[{existing.name or existing.email}].{attr}", scraped=mine,
                scraped_source=existing.sources.get(attr) or existing.source_url,
                enriched=theirs, provider_source=source,
            ))


def _take_email(existing: Contact, offer: Contact) -> None:
    existing.email, existing.email_status, existing.confidence = offer.email, offer.email_status, offer.confidence
    existing.sources["email"] = offer.source_url or offer.sources.get("email", "")
    if existing.source_url is None:
        existing.source_url = offer.source_url


def merge_contacts(
    contacts: list[Contact], offered: list[Contact], domain: str, provider_source: str
) -> tuple[list[Contact], int, list[FieldConflict]]:
    """(merged copies, contacts added, conflicts). Offered addresses off the company's registrable
    domain are dropped. A scraped found/role address is never replaced; a guessed one is replaced
    by better evidence."""
    merged = [c.model_copy(deep=True) for c in contacts]
    conflicts: list[FieldConflict] = []
    added = 0
    for offer in offered:
        if not offer.email or not email_on_domain(offer.email, domain):
            continue
        email = offer.email.lower()
        same_email = next((c for c in merged if (c.email or "").lower() == email), None)
        if same_email is not None:
            if _STATUS_RANK[offer.email_status] > _STATUS_RANK[same_email.email_status]:
                _take_email(same_email, offer)
            _fill_person(same_email, offer, conflicts, provider_source)
            continue
        key = _person_key(offer.name)
        same_person = next((c for c in merged if key and _person_key(c.name) == key), None)
        if same_person is None:
            merged.append(offer.model_copy(deep=True))
            added += 1
            continue
        if same_person.email is None or (
            same_person.email_status == "guessed"
            and _STATUS_RANK[offer.email_status] >= _STATUS_RANK["guessed"]
            and (offer.confidence or 0) > (same_person.confidence or 0)
        ):
            _take_email(same_person, offer)
        elif (same_person.email or "").lower() != email:
            conflicts.append(FieldConflict(
                field=f"contact[{same_person.name}].email", scraped=same_person.email,
                scraped_source=same_person.sources.get("email") or same_person.source_url,
                enriched=offer.email, provider_source=offer.source_url or provider_source,
            ))
        _fill_person(same_person, offer, conflicts, provider_source)
    return merged, added, conflicts
