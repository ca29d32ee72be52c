"""Phrase finding in free text: case-folded, word-bounded, plural-tolerant, with near spellings.

Every matcher in ``agents.icp`` goes through here so "Dev-Tools", "dev tools" and "devtool"
are found the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

_SEPARATORS = re.compile(r"[\s\-_/]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9+.&']*[a-z0-9+]|[a-z0-9]")
# Near spellings only for long phrases: short ones ("ai", "hr", "edtech") collide too easily.
FUZZY_MIN_LENGTH = 8
FUZZY_CUTOFF = 90.0


_ASCII_SEPARATORS = str.maketrans({"-": " ", "_": " ", "/": " ", "\t": " ", "\n": " ", "\r": " ",
                                   "\x0b": " ", "\x0c": " "})


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, accents removed, separators collapsed to one space (for vocabulary)."""
    return _SEPARATORS.sub(" ", fold_aligned(text)).strip()


def fold_aligned(text: str) -> str:
    """Like :func:`fold` but one output character per input character, so offsets found in
    the folded text point at the same place in the original (used for quoting)."""
    if text.isascii():
        return text.lower().translate(_ASCII_SEPARATORS)
    out = []
    for c in text:
        d = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x)).lower()
        ch = d[0] if d else " "
        out.append(" " if ch in "-_/" or ch.isspace() else ch)
    return "".join(out)


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Word-bounded pattern for ``phrase``; separators are interchangeable, a plural 's' optional."""
    words = [re.escape(w) for w in fold(phrase).split(" ") if w]
    body = r"[\s\-_/]*".join(words) if len(words) > 1 and len("".join(words)) <= 12 else r"[\s\-_/]+".join(words)
    plural = "(?:s|es)?" if len("".join(words)) > 3 else ""  # "hrs" is not "hr"
    return re.compile(rf"(?<![a-z0-9]){body}{plural}(?![a-z0-9])")


@dataclass(frozen=True)
class Hit:
    phrase: str  # the vocabulary phrase that matched
    start: int  # offsets into the folded text
    end: int
    exact: bool


def find_phrase(text: str, phrases: list[str] | tuple[str, ...]) -> Hit | None:
    """First phrase found in ``text`` (output of :func:`fold_aligned`): exact word-bounded
    matches first, then near spellings of long one-word phrases (see :func:`find_near`)."""
    hits = find_all(text, phrases)
    return hits[0] if hits else find_near(text, phrases)


def find_all(text: str, phrases: list[str] | tuple[str, ...]) -> list[Hit]:
    """Every exact, non-overlapping mention of any phrase, in text order (longest phrase wins)."""
    found: list[Hit] = []
    for phrase in phrases:
        found += [Hit(phrase, m.start(), m.end(), True) for m in phrase_pattern(phrase).finditer(text)]
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in found:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def find_near(text: str, phrases: list[str] | tuple[str, ...]) -> Hit | None:
    """A near spelling ("cybersecurty") of a one-word phrase of FUZZY_MIN_LENGTH+ letters.
    Multi-word phrases are never matched fuzzily: "ai platform" is not "api platform"."""
    targets = [p for p in (fold(x) for x in phrases) if " " not in p and len(p) >= FUZZY_MIN_LENGTH]
    if not targets:
        return None
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    for target in targets:
        candidates = [w for w in words if w[2][0] == target[0] and abs(len(w[2]) - len(target)) <= 2]
        if not candidates:
            continue
        best = process.extractOne(
            target, [w[2] for w in candidates], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        if best is not None:
            start, end, _ = candidates[best[2]]
            return Hit(target, start, end, False)
    return None


def snippet(text: str, start: int, end: int, width: int = 140) -> str:
    """The sentence around a match, trimmed to about ``width`` characters."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    left = 0 if left < 0 else left + 1
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    if right - left > width:
        half = width // 2
        left = max(left, start - half)
        right = min(right, end + half)
    piece = " ".join(text[left:right].split())
    return piece.strip(" .") if piece else text[start:end]
