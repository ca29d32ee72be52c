"""Memory of past campaigns: how outcomes of similar companies nudge a score (bounded, never a
hard constraint)."""

from __future__ import annotations

from core.models import PriorOutcome

SIMILARITY_MIN = 0.8
NEGATIVE = frozenset({"bounced", "complained", "unsubscribed"})
POSITIVE = frozenset({"replied_positive", "meeting"})
PENALTY_EACH, PENALTY_MAX = 6, 15
BOOST_EACH, BOOST_MAX = 3, 6


def prior_adjustment(prior: list[PriorOutcome] | None) -> tuple[int, list[str]]:
    """Points to add to a score (negative lowers it) and the reasons, from outcomes of companies
    at least SIMILARITY_MIN similar."""
    similar = [p for p in prior or [] if p.similarity >= SIMILARITY_MIN]
    bad = [p for p in similar if p.kind in NEGATIVE]
    good = [p for p in similar if p.kind in POSITIVE]
    reasons: list[str] = []
    penalty = min(PENALTY_MAX, round(sum(PENALTY_EACH * p.similarity for p in bad)))
    boost = min(BOOST_MAX, round(sum(BOOST_EACH * p.similarity for p in good)))
    if bad:
        reasons.append(
            f"Similar companies {_examples(bad)} bounced, complained or unsubscribed before: "
            f"score lowered by {penalty}"
        )
    if good:
        reasons.append(f"Similar companies {_examples(good)} replied positively or met before: score raised by {boost}")
    return boost - penalty, reasons


def _examples(outcomes: list[PriorOutcome]) -> str:
    shown = sorted(outcomes, key=lambda p: -p.similarity)[:3]
    return "(" + ", ".join(f"{p.domain}: {p.kind}" for p in shown) + ")"
