"""The date an out-of-office reply says its sender is back, in English, German, French or Spanish
("back on 3 March", "returning 2026-12-01", "bis zum 5.12.", "de retour le 4 janvier")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero"),
    3: ("march", "mar", "märz", "maerz", "mars", "marzo"),
    4: ("april", "apr", "avril", "avr", "abril", "abr"),
    5: ("may", "mai", "mayo"),
    6: ("june", "jun", "juni", "juin", "junio"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio"),
    8: ("august", "aug", "août", "aout", "agosto", "ago"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "diciembre", "dic"),
}
_MONTH_OF = {name: number for number, names in MONTHS.items() for name in names}
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True)) + r")\.?(?![^\W\d_])"
_YEAR = r"(?:,?\s+(?:de\s+)?(?P<year>\d{4}))?"
_DAY = r"(?P<day>[0-3]?\d)"
_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<num_month>[01]?\d)-(?P<day>[0-3]?\d)\b"),
    re.compile(rf"\b{_DAY}(?:st|nd|rd|th|er|\.|º)?\s+(?:of\s+|de\s+)?{_MONTH}{_YEAR}", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?\b{_YEAR}", re.IGNORECASE),
    re.compile(r"\b(?P<day>[0-3]?\d)\.(?P<num_month>[01]?\d)\.(?P<year>\d{4}|\d{2})?(?!\d)"),
    re.compile(r"\b(?P<first>[0-3]?\d)/(?P<second>[0-3]?\d)(?:/(?P<year>\d{4}|\d{2}))?\b"),
]
# Words after which a date is the day someone is back (or the last day away).
_TRIGGER = re.compile(
    r"\b(?:back|return(?:ing|s)?|until|till|til|through|thru|to|"
    r"bis|zurück|wieder|ab|"
    r"retour|jusqu'(?:au|à)|reviens|reprendrai|au|"
    r"hasta|regreso|regresaré|regresare|vuelvo|volveré|volvere|a partir del?)\b",
    re.IGNORECASE,
)
# Words that open a range ("from 1 Dec to 5 Dec"): the date after them is the first day away.
_RANGE_START = re.compile(r"\b(?:from|between|vom|zwischen|du|entre|desde|del?)\b", re.IGNORECASE)
_TRIGGER_REACH = 40
_PAST_SLACK = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    value: date


def find_dates(text: str, reference: date, *, month_first: bool = False) -> list[DateMention]:
    """Every date mentioned in ``text``; a missing year is the next such date from ``reference``.
    Numeric ``a/b`` dates are day/month unless ``month_first`` (US English) or one part is > 12."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:  # most specific first; a later pattern never re-reads a span
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            value = _to_date(match.groupdict(), reference, month_first)
            if value is not None:
                found.append(DateMention(match.start(), value))
                taken.append(match.span())
    return sorted(found, key=lambda m: m.start)


def return_date(text: str, reference: date, *, month_first: bool = False) -> date | None:
    """The first date that follows a return/until word; else the last date mentioned (the end
    of a range); None without a plausible future date."""
    mentions = [m for m in find_dates(text, reference, month_first=month_first)
                if reference - _PAST_SLACK <= m.value <= reference + timedelta(days=366)]
    if not mentions:
        return None
    for mention in mentions:
        before = text[max(0, mention.start - _TRIGGER_REACH):mention.start]
        trigger = _last(_TRIGGER, before)
        if trigger >= 0 and trigger > _last(_RANGE_START, before):
            return mention.value
    return mentions[-1].value


def _last(pattern: re.Pattern[str], text: str) -> int:
    starts = [m.start() for m in pattern.finditer(text)]
    return starts[-1] if starts else -1


def _to_date(groups: dict[str, str | None], reference: date, month_first: bool) -> date | None:
    day_text, month_number = groups.get("day"), None
    if groups.get("month"):
        month_number = _MONTH_OF.get(str(groups["month"]).lower().rstrip("."))
    elif groups.get("num_month"):
        month_number = int(str(groups["num_month"]))
    elif groups.get("first"):
        first, second = int(str(groups["first"])), int(str(groups["second"]))
        if first > 12 or (not month_first and second <= 12):
            day_text, month_number = str(first), second
        else:
            day_text, month_number = str(second), first
    if not day_text or not month_number:
        return None
    year_text = groups.get("year")
    try:
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, month_number, int(day_text))
        value = date(reference.year, month_number, int(day_text))
    except ValueError:
        return None
    if value < reference - _PAST_SLACK:
        try:
            value = value.replace(year=value.year + 1)
        except ValueError:
            return None
    return value
