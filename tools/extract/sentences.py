"""Splitting visible page text into quotable sentences."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9À-Þ])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a page's visible text; each line is split separately (lines are blocks)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            out.extend(s.strip() for s in _SPLIT.split(line) if s.strip())
    return out


def is_prose(sentence: str, *, min_words: int = 6) -> bool:
    """A real sentence (enough words, mostly letters), not a menu line or a button label."""
    words = sentence.split()
    if len(words) < min_words or len(sentence) > 400:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.6 * len(sentence.replace(" ", ""))
