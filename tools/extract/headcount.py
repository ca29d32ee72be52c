"""Team size from page text ("a team of 12", "10-20 people", "over 50 employees").

Rule: a bounded range gives its midpoint rounded down ("10-20 people" -> 15); an open-ended
figure ("over 50", "50+", "more than 50") gives its lower bound (50); "about/nearly N" gives N.
"""

from __future__ import annotations

import re

_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100,
    "one hundred": 100, "a dozen": 12, "dozen": 12,
}
_NUM = r"(\d{1,3}(?:[,.\u202f ]\d{3})+|\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_QUAL = r"(?:(over|more\s+than|nearly|almost|about|around|approximately|roughly|some|~|just\s+under|under|fewer\s+than|less\s+than)\s+)?"
_RANGE = rf"{_QUAL}{_NUM}(\+)?(?:\s*(?:-|–|—|to)\s*{_NUM})?"
_STAFF = (
    r"(?:full[- ]time\s+)?(?:employees|staff(?:\s+members)?|team\s+members|teammates|colleagues|people|"
    r"persons|humans|FTEs?|engineers\s+and\s+\w+|Mitarbeiter(?:innen|ende)?|collaborateurs|salariés)"
)
_PATTERNS = [
    re.compile(rf"\bteam\s+of\s+{_RANGE}(?!\s*(?:years|countries|customers|clients|users|offices))", re.I),
    re.compile(rf"\b{_RANGE}\s+{_STAFF}\b", re.I),
    re.compile(rf"\b{_RANGE}[- ](?:person|people|member|strong)\s+(?:team|company|startup|crew|studio|firm)\b", re.I),
    re.compile(rf"\b(?:employs?|employing|headcount\s+(?:of|is)|staff\s+of|we\s+are|we're)\s+{_RANGE}\b(?!\s*(?:years|%|countries|customers|clients|users))", re.I),
]
# "used by 10,000 people" is about customers, not staff.
_NOT_STAFF = re.compile(r"\b(used|trusted|loved|relied\s+on|chosen)\s+by\b|\bserv(e|es|ing)\b|\bhelp(s|ed|ing)?\b|customers|users|clients|downloads|million|countries", re.I)


def _value(token: str | None) -> int | None:
    if not token:
        return None
    token = token.lower().strip()
    if token in _WORDS:
        return _WORDS[token]
    digits = re.sub(r"[,.\u202f ]", "", token)
    return int(digits) if digits.isdigit() else None


def team_size_in(text: str) -> tuple[int, str] | None:
    """(size, matched sentence) for the first staff-size phrase in ``text``; None when there is none."""
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            for pattern in _PATTERNS:
                match = pattern.search(sentence)
                if not match:
                    continue
                before = sentence[: match.start()]
                if pattern is _PATTERNS[1] and _NOT_STAFF.search(before[-60:] + match.group(0)):
                    continue
                if pattern is _PATTERNS[3] and not re.search(rf"{_STAFF}|team|strong", sentence[match.end():][:40], re.I):
                    continue
                qualifier, low, high = (match.group(1) or "").lower(), _value(match.group(2)), _value(match.group(4))
                # "we are 1" says nothing about staff; "a team of 1" or "1-5 people" does.
                if low is None or low < 1 or (low == 1 and pattern is _PATTERNS[3]) or low > 1_000_000:
                    continue
                if high is not None and high > low:
                    size = (low + high) // 2
                else:
                    size = low
                if qualifier and ("under" in qualifier or "fewer" in qualifier or "less" in qualifier):
                    size = max(1, low - 1)
                return size, sentence.strip()
    return None
