"""Named discovery sources a user may ask for instead of listing companies ("use the YC directory")."""

from __future__ import annotations

import re

DISCOVERY_SOURCES: dict[str, tuple[str, ...]] = {
    "yc": ("yc directory", "y combinator", "ycombinator", "yc companies", "yc startups", "yc list", "yc"),
    "product_hunt": ("product hunt", "producthunt"),
    "crunchbase": ("crunchbase",),
    "hn_hiring": ("hacker news who is hiring", "hn who is hiring", "who is hiring", "hacker news"),
    "web_search": ("search the web", "web search", "find companies for me", "find them for me",
                   "discover companies", "find the companies", "you find them", "find some companies"),
}
LABELS = {
    "yc": "the YC directory", "product_hunt": "Product Hunt", "crunchbase": "Crunchbase",
    "hn_hiring": "Hacker News 'Who is hiring'", "web_search": "a web search",
}
# A source name counts only with a verb that asks for it ("use", "from", "pull"...), so "launched on
# Product Hunt" in an ICP is not read as a discovery source.
_ASK = re.compile(r"\b(?:use|using|from|pull|source|take|scrape|discover|discovery|search|find|via|off)\b", re.I)
_PATTERNS = {
    key: re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)
    for key, phrases in DISCOVERY_SOURCES.items()
}


def discovery_source(text: str, *, require_ask: bool = True) -> str | None:
    """The source key named in ``text`` ("yc", "product_hunt", ...), or ``None``."""
    if require_ask and not _ASK.search(text):
        return None
    for key, pattern in _PATTERNS.items():
        if pattern.search(text):
            return key
    return None


def describe(source: str) -> str:
    return LABELS.get(source, source)
