"""Team size from page text ("a team of 12", "10-20 people", "over 50 employees", "Team size: 11-50").

Rule: a bounded range gives its midpoint rounded down ("10-20 people" -> 15); an open-ended
figure ("over 50", "50+", "more than 50") gives its lower bound (50); "about/nearly N" gives N.
A line written as an order to an AI reader ("SYSTEM: ignore previous instructions ...") is never read.
"""

from __future__ import annotations

import re

from tools.extract.instructions import reads_as_instruction

_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100,
    "one hundred": 100, "a dozen": 12, "dozen": 12,
}
_NUM = r"(\d{1,3}(?:[,.\u202f ]\d{3})+|\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_QUAL = (
    r"(?:(over|more\s+than|nearly|almost|about|around|approximately|roughly|some|~|just\s+under|under|fewer\s+than"
    r"|less\s+than|über|mehr\s+als|rund|etwa|ca\.|circa|knapp|plus\s+de|environ|près\s+de|más\s+de)\s+)?"
)
_RANGE = rf"{_QUAL}{_NUM}(\+)?(?:\s*(?:-|–|—|to)\s*{_NUM})?"
_STAFF = (
    r"(?:full[- ]time\s+)?(?:employees|staff(?:\s+members)?|team\s+members|teammates|colleagues|people|"
    r"persons|humans|FTEs?|engineers\s+and\s+\w+|Mitarbeit(?:er(?:[:*_/]?innen)?|ende[n]?)|Beschäftigte[n]?"
    r"|Angestellte[n]?|collaborateurs|collaboratrices|salariés|employés|empleados)"
)
_PATTERNS = [
    re.compile(rf"\b(?:team|crew|studio)\s+of\s+{_RANGE}(?!\s*(?:years|countries|customers|clients|users|offices))", re.I),
    re.compile(rf"\b{_RANGE}\s+{_STAFF}\b", re.I),
    re.compile(rf"\b{_RANGE}[- ](?:person|people|member|strong)\s+(?:team|company|startup|crew|studio|firm)\b", re.I),
    re.compile(rf"\b(?:employs?|employing|headcount\s+(?:of|is)|staff\s+of|we\s+are|we're)\s+{_RANGE}\b(?!\s*(?:years|%|countries|customers|clients|users))", re.I),
]
# "used by 10,000 people", "10,000 people use Acme", "payments between any two people" are not staff.
_NOT_STAFF_BEFORE = re.compile(
    r"(\b(used|trusted|loved|relied\s+on|chosen)\s+by|\bserv(e|es|ing)|\bhelp(s|ed|ing)?|\breach(es|ing)?"
    r"|\bconnect(s|ing)?|\bfor|\bbetween|\bany|\bevery|\beach|\bper)\s+(?:\S+\s+){0,2}$",
    re.I,
)
_NOT_STAFF_IN = re.compile(r"customers|users|clients|downloads|million|billion", re.I)
_NOT_STAFF_AFTER = re.compile(
    r"^\s+(?:\w+\s+)?(use|used|using|rely|trust|love|choose|chose|read|visit|subscribe|download|signed\s+up)\b", re.I
)
# A labelled figure in a facts list or table: "Team size: 11-50", "Employees | 120", "Mitarbeitende: 45".
_LABEL = (
    r"(?:team\s+size|company\s+size|headcount|employees|number\s+of\s+employees|staff\s+size|"
    r"mitarbeiter(?:innen)?|mitarbeitende|effectif|salariés)"
)
_LABELLED = re.compile(rf"^\s*{_LABEL}\s*(?::|\||\n)\s*{_RANGE}(?:\s+{_STAFF})?\s*$", re.I)


def _value(token: str | None) -> int | None:
    if not token:
        return None
    token = token.lower().strip()
    if token in _WORDS:
        return _WORDS[token]
    digits = re.sub(r"[,.\u202f ]", "", token)
    return int(digits) if digits.isdigit() else None


def _size(qualifier: str, low: int, high: int | None) -> int:
    size = (low + high) // 2 if high is not None and high > low else low
    if qualifier and ("under" in qualifier or "fewer" in qualifier or "less" in qualifier):
        size = max(1, low - 1)
    return size


def _labelled(lines: list[str]) -> tuple[int, str] | None:
    """"Team size" on one line and "11-50" on the next (a definition list or a facts grid) or on one line."""
    for i, line in enumerate(lines):
        pair = f"{line}\n{lines[i + 1]}" if i + 1 < len(lines) else line
        for candidate in (line, pair):
            match = _LABELLED.match(candidate)
            if match is None:
                continue
            low = _value(match.group(2))
            # "Employees" over "2019" in a facts grid is more likely a year than a headcount.
            year = low is not None and 1900 <= low <= 2100 and not match.group(3) and not match.group(4)
            if low and 0 < low <= 1_000_000 and not year:
                return _size((match.group(1) or "").lower(), low, _value(match.group(4))), " ".join(candidate.split())
    return None


def team_size_in(text: str) -> tuple[int, str] | None:
    """(size, matched sentence) for the first staff-size phrase in ``text``; None when there is none."""
    lines = [line for line in text.split("\n") if not reads_as_instruction(line)]
    if found := _labelled(lines):
        return found
    for line in lines:
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            for pattern in _PATTERNS:
                match = pattern.search(sentence)
                if not match:
                    continue
                before, after = sentence[: match.start()], sentence[match.end():]
                if pattern is _PATTERNS[1] and (
                    _NOT_STAFF_BEFORE.search(before) or _NOT_STAFF_IN.search(match.group(0))
                    or _NOT_STAFF_AFTER.search(after)
                ):
                    continue
                if pattern is _PATTERNS[3] and not re.search(rf"{_STAFF}|team|strong", sentence[match.end():][:40], re.I):
                    continue
                qualifier, low, high = (match.group(1) or "").lower(), _value(match.group(2)), _value(match.group(4))
                # "we are 1" says nothing about staff; "a team of 1" or "1-5 people" does.
                if low is None or low < 1 or (low == 1 and pattern is _PATTERNS[3]) or low > 1_000_000:
                    continue
                return _size(qualifier, low, high), sentence.strip()
    return None
