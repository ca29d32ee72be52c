"""The rules engine: weighs the ICP dimensions into a 0–100 score, decides fit and confidence.

Score = 100 × Σ(weight × credit) / Σ(weight) over the dimensions the ICP constrains (industry 35,
location 25, size 20, signals 20), plus a bounded nudge from similar past outcomes. Credit is 1
for a match, 0 for a mismatch and partial for unknown facts (see ``assess.UNKNOWN_CREDIT``).
fit = no hard constraint failed (exclusion, known team size out of range, known location outside
the ICP, required signal known absent), score >= FIT_THRESHOLD (70), the industry and location
(when constrained) were established (credit >= 0.5: not unknown, not a lone passing mention), and
every required signal was found (an unknown one holds the lead back; the reason says which: a
brief that asks for "hiring" wants the hook, not a guess). An unknown team size only lowers score
and confidence: small companies rarely state headcount, and the reviewer sees "Team size unknown".
confidence = the weighted share of constrained facts that were known.
Only structured fields and the description/facts are read, as data: page text never reaches here.
"""

from __future__ import annotations

from agents.icp.assess import (
    CORE_MIN_CREDIT,
    Assessment,
    assess_exclusions,
    assess_industry,
    assess_location,
    assess_signals,
    assess_size,
)
from agents.icp.prior import prior_adjustment
from core.models import ICP, Company, Evidence, PriorOutcome, Qualification

WEIGHTS = {"industry": 35, "location": 25, "size": 20, "signals": 20}
FIT_THRESHOLD = 70
HARD_FAIL_CAP = 30  # a lead failing a hard constraint never scores above this
_NAMES = {"signals": "required signals"}


def company_urls(company: Company) -> set[str]:
    """Every URL the company object itself holds; evidence may cite only these."""
    urls = set(company.sources.values())
    urls |= {f.source_url for f in company.facts}
    urls |= {s.source_url for s in company.signals}
    return {u for u in urls if u}


def assess_all(icp: ICP, company: Company) -> tuple[Assessment | None, list[Assessment]]:
    """The exclusion check and the scored dimensions the ICP constrains."""
    parts = [
        a for a in (
            assess_industry(icp, company), assess_location(icp, company),
            assess_size(icp, company), assess_signals(icp, company),
        ) if a is not None
    ]
    return assess_exclusions(icp, company), parts


def hard_failures(icp: ICP, company: Company) -> list[Assessment]:
    """Assessments whose hard constraint failed (exclusion first)."""
    exclusion, parts = assess_all(icp, company)
    return [a for a in ([exclusion] if exclusion else []) + parts if a.hard_fail]


def score_company(
    icp: ICP, company: Company, prior: list[PriorOutcome] | None = None
) -> Qualification:
    exclusion, parts = assess_all(icp, company)
    reasons: list[str] = []
    evidence: list[Evidence] = []
    for a in ([exclusion] if exclusion else []) + parts:
        reasons += a.reasons
        evidence += a.evidence
    total = sum(WEIGHTS[a.dimension] for a in parts)
    raw = 100.0 * sum(WEIGHTS[a.dimension] * a.credit for a in parts) / total if total else 100.0
    confidence = sum(WEIGHTS[a.dimension] * a.known for a in parts) / total if total else 1.0
    if not parts and not exclusion:
        reasons.append("The brief sets no ICP constraints: every company fits")
    nudge, prior_reasons = prior_adjustment(prior)
    reasons += prior_reasons
    score = max(0, min(100, round(raw) + nudge))
    hard = [a for a in ([exclusion] if exclusion else []) + parts if a.hard_fail]
    if exclusion is not None and exclusion.hard_fail:
        score = 0
    elif hard:
        score = min(score, HARD_FAIL_CAP)
    unsettled = [a for a in parts if a.credit < CORE_MIN_CREDIT.get(a.dimension, 0.0)]
    fit = not hard and not unsettled and score >= FIT_THRESHOLD
    if hard:
        reasons.append(f"Not a fit: a hard constraint failed ({', '.join(a.dimension for a in hard)})")
    elif unsettled:
        reasons.append(
            f"Not a fit: the {' and the '.join(_NAMES.get(a.dimension, a.dimension) for a in unsettled)}"
            " could not be established"
        )
    elif fit:
        reasons.append(f"Fit: score {score} reaches the threshold of {FIT_THRESHOLD}")
    else:
        reasons.append(f"Not a fit: score {score} is below the threshold of {FIT_THRESHOLD}")
    allowed = company_urls(company)
    unique = {(e.claim, e.source_url): e for e in evidence if e.source_url in allowed}
    return Qualification(
        fit=fit, score=score, reasons=reasons, evidence=list(unique.values()),
        confidence=round(confidence, 2), engine="rules",
    )
