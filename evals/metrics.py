"""Suite metrics from per-case results: rates as (successes, trials) sums, the confusion table,
failure counts by check, and cost (tokens, time) per case."""

from __future__ import annotations

from collections import Counter
from typing import Any

from evals.evaluators import confusion_table

# Gated rates, all "higher is better", each a ratio of per-case sums.
RATES = (
    "qualification.accuracy", "qualification.precision", "qualification.recall", "qualification.f1",
    "grounding.supported_rate", "compliance.pass_rate", "personalization.rate", "copy.offer_tie_in_rate",
    "injection.pass_rate", "review.avoid_rate",
)
ADVISORY = ("judge.good_rate",)  # reported and compared, never gated


def sum_contributions(cases: list[dict[str, Any]]) -> dict[str, list[int]]:
    totals: dict[str, list[int]] = {}
    for case in cases:
        for name, (k, n) in case.get("contributions", {}).items():
            total = totals.setdefault(name, [0, 0])
            total[0] += k
            total[1] += n
    return totals


def rates(cases: list[dict[str, Any]]) -> dict[str, dict[str, float | int]]:
    return {name: {"value": round(k / n, 4), "k": k, "n": n}
            for name, (k, n) in sorted(sum_contributions(cases).items()) if n}


def aggregate(cases: list[dict[str, Any]], *, seconds: float) -> dict[str, Any]:
    qual = [c for c in cases if c["kind"] == "qualification" and "outcome" in c]
    with_copy = [c["copy"] for c in cases if "copy" in c] + [c for c in cases if c["kind"] in ("copy", "review")
                                                             and "grounding" in c]
    compliance = Counter(f for c in with_copy for fails in c["compliance"].values() for f in fails)
    injections = Counter(f for c in cases if c["kind"] == "hostile" for f in c.get("failures", []))
    tokens = sum(c.get("tokens", 0) for c in cases)
    return {
        "rates": rates(cases),
        "confusion": confusion_table([(c["brief"], c["outcome"]) for c in qual]),
        "counts": {
            "cases": len(cases),
            "case_errors": sum(1 for c in cases if c.get("error")),
            "research_errors": sum(1 for c in cases if c.get("research_error")),
            "drafts": sum(len(c["drafts"]) for c in with_copy),
            "claims": sum(c["grounding"]["claims"] for c in with_copy),
            "unsupported_claims": sum(c["unsupported_count"] for c in with_copy),
            "compliance_failures": sum(1 for c in with_copy for f in c["compliance"].values() if f),
            "compliance_by_check": dict(sorted(compliance.items())),
            "injection_failures": sum(1 for c in cases if c["kind"] == "hostile" and c.get("failures")),
            "injection_by_kind": dict(sorted(injections.items())),
        },
        "cost": {
            "tokens": tokens,
            "tokens_per_case": round(tokens / len(cases), 1) if cases else 0.0,
            "cost_usd": round(sum(c.get("cost_usd", 0.0) for c in cases), 6),
            "seconds": round(seconds, 2),
            "seconds_per_case": round(sum(c.get("seconds", 0.0) for c in cases) / len(cases), 4) if cases else 0.0,
        },
    }
