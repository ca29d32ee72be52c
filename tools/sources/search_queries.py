"""Web search queries from an ICP: industries x locations, plus the signals the brief asks for."""

from __future__ import annotations

from core.errors import InvalidInput
from core.models import ICP

_SIGNAL_WORDS = {"hiring": "hiring", "funding": "raises funding", "launch": "launches"}


def _exclusions(icp: ICP) -> str:
    """Single-word exclude terms as ``-term`` operators (Brave and SearXNG engines honour them)."""
    words = [w for w in icp.exclude if w.strip() and " " not in w.strip() and "." not in w]
    return "".join(f" -{w.strip().lower()}" for w in words[:5])


def search_queries(icp: ICP, *, max_queries: int = 12) -> list[str]:
    """Queries in priority order: each industry in each location first, then with each signal."""
    industries = [i.strip() for i in icp.industries if i.strip()]
    locations = [loc.strip() for loc in icp.locations if loc.strip()]
    if not industries and not locations:
        raise InvalidInput("the brief's ICP names no industries or locations to search for")
    subjects = [f"{i} companies" for i in industries] or ["startups"]
    places = [f" in {loc}" for loc in locations] or [""]
    base = [f"{s}{p}" for s in subjects for p in places]
    signals = [_SIGNAL_WORDS[s] for s in icp.signals if s in _SIGNAL_WORDS]
    with_signals = [f"{i} startups{p} {word}" for word in signals for i in industries or [""] for p in places]
    suffix = _exclusions(icp)
    out: list[str] = []
    for query in base + with_signals:
        query = " ".join(query.split()) + suffix
        if query not in out:
            out.append(query)
    return out[:max_queries]
