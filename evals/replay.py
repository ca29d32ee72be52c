"""Replay: re-score leads that were already contacted with a candidate qualifier and measure how
well each ranking puts the leads that replied on top (precision@k, recall@k, AP, NDCG).

Only contacted leads have an outcome, so replay judges a qualifier's ordering among them; it
cannot credit a candidate for leads the current one never let through (see docs/experiments.md).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import math
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agents.experiments import POSITIVE_KINDS, REPLY_KINDS
from core.models import CampaignBrief, Company, Lead

RELEVANCE = {"positive": 2, "replied": 1, "none": 0}
DEFAULT_KS = (5, 10, 20)
DEFAULT_CANDIDATE = "agents.qualifier:qualify_rules"
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class ReplayCase:
    """A contacted lead: the company as researched, its brief, the score it got and what came back."""

    lead_id: str
    domain: str
    outcome: str  # "positive" | "replied" | "none"
    current_score: float | None = None
    company: Company | None = None
    brief: CampaignBrief | None = None
    campaign_id: str | None = None

    @property
    def relevance(self) -> int:
        return RELEVANCE[self.outcome]

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": self.lead_id, "domain": self.domain, "outcome": self.outcome,
            "current_score": self.current_score, "campaign_id": self.campaign_id,
            "company": self.company.model_dump(mode="json", exclude_defaults=True) if self.company else None,
            "brief": self.brief.model_dump(mode="json") if self.brief else None,
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ReplayCase:
        if row["outcome"] not in RELEVANCE:
            raise ValueError(f"outcome must be one of {', '.join(RELEVANCE)}, got {row['outcome']!r}")
        return cls(
            lead_id=row["lead_id"], domain=row["domain"], outcome=row["outcome"],
            current_score=row.get("current_score"), campaign_id=row.get("campaign_id"),
            company=Company.model_validate(row["company"]) if row.get("company") else None,
            brief=CampaignBrief.model_validate(row["brief"]) if row.get("brief") else None,
        )


Scorer = Callable[[ReplayCase], Any]  # returns a number, an object with .score, or an awaitable of either


@dataclass(frozen=True)
class RankingMetrics:
    precision_at: dict[int, float]
    recall_at: dict[int, float]
    average_precision: float | None
    ndcg: float | None
    ndcg_at: dict[int, float | None]


@dataclass
class ReplayReport:
    cases: int
    relevant: int  # leads that replied (any human answer)
    positive: int
    ks: tuple[int, ...]
    current: RankingMetrics | None
    candidate: RankingMetrics
    delta: dict[str, float] = field(default_factory=dict)  # candidate - current
    ap_delta_ci: tuple[float, float] | None = None  # paired bootstrap 95% interval

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        lines = [f"{self.cases} contacted leads, {self.relevant} replied ({self.positive} positive)",
                 f"{'metric':<22} {'current':>8} {'candidate':>10} {'delta':>8}"]
        for name, cur, cand in _rows(self.current, self.candidate):
            delta = "" if cur is None or cand is None else f"{cand - cur:+8.3f}"
            lines.append(f"{name:<22} {_fmt(cur):>8} {_fmt(cand):>10} {delta:>8}")
        if self.ap_delta_ci:
            lines.append(f"AP delta 95% interval (paired bootstrap): [{self.ap_delta_ci[0]:+.3f}, {self.ap_delta_ci[1]:+.3f}]")
        return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _rows(current: RankingMetrics | None, candidate: RankingMetrics) -> list[tuple[str, float | None, float | None]]:
    def get(m: RankingMetrics | None, name: str, k: int | None) -> float | None:
        if m is None:
            return None
        return getattr(m, name) if k is None else getattr(m, name)[k]

    rows = [(f"precision@{k}", get(current, "precision_at", k), get(candidate, "precision_at", k))
            for k in candidate.precision_at]
    rows += [(f"recall@{k}", get(current, "recall_at", k), get(candidate, "recall_at", k)) for k in candidate.recall_at]
    rows += [(f"ndcg@{k}", get(current, "ndcg_at", k), get(candidate, "ndcg_at", k)) for k in candidate.ndcg_at]
    rows += [("average_precision", get(current, "average_precision", None), get(candidate, "average_precision", None)),
             ("ndcg", get(current, "ndcg", None), get(candidate, "ndcg", None))]
    return rows


# --- ranking metrics ------------------------------------------------------------------------

def rank(cases: list[ReplayCase], scores: list[float | None]) -> list[int]:
    """Indices of ``cases`` best first: higher score first, missing scores last, ties by domain."""
    return sorted(range(len(cases)), key=lambda i: (scores[i] is None, -(scores[i] or 0.0), cases[i].domain,
                                                    cases[i].lead_id))


def average_precision(relevant: list[bool]) -> float | None:
    """Mean of precision@i over the positions i of relevant items; None without relevant items."""
    hits, total = 0, 0.0
    for i, is_relevant in enumerate(relevant, start=1):
        if is_relevant:
            hits += 1
            total += hits / i
    return total / hits if hits else None


def dcg(gains: list[int], k: int | None = None) -> float:
    return sum((2 ** g - 1) / math.log2(i + 1) for i, g in enumerate(gains[:k], start=1))


def ndcg(gains: list[int], k: int | None = None) -> float | None:
    ideal = dcg(sorted(gains, reverse=True), k)
    return dcg(gains, k) / ideal if ideal > 0 else None


def ranking_metrics(gains: list[int], ks: Iterable[int]) -> RankingMetrics:
    """Metrics of one ordering; ``gains`` are the graded relevances in ranked order (0 = no reply)."""
    relevant = [g > 0 for g in gains]
    total = sum(relevant)
    ks = tuple(ks)
    return RankingMetrics(
        precision_at={k: sum(relevant[:k]) / k for k in ks},
        recall_at={k: (sum(relevant[:k]) / total if total else 0.0) for k in ks},
        average_precision=average_precision(relevant),
        ndcg=ndcg(gains),
        ndcg_at={k: ndcg(gains, k) for k in ks},
    )


# --- the replay ------------------------------------------------------------------------------

def _score_value(value: Any) -> float | None:
    if value is None:
        return None
    return float(getattr(value, "score", value))


def replay(outcomes: list[ReplayCase], scorer: Scorer, *, ks: Iterable[int] = DEFAULT_KS) -> ReplayReport:
    """Rank ``outcomes`` by their recorded score and by ``scorer`` and compare. The scorer must be
    synchronous here; use ``areplay`` for an async one (e.g. an LLM qualifier)."""
    scores = []
    for case in outcomes:
        value = scorer(case)
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()  # never awaited: close it so it does not warn
            raise TypeError("the scorer returned an awaitable: use areplay()")
        scores.append(_score_value(value))
    return compare_rankings(outcomes, scores, ks=ks)


async def areplay(outcomes: list[ReplayCase], scorer: Callable[[ReplayCase], Any | Awaitable[Any]], *,
                  ks: Iterable[int] = DEFAULT_KS) -> ReplayReport:
    scores = []
    for case in outcomes:
        value = scorer(case)
        scores.append(_score_value(await value if inspect.isawaitable(value) else value))
    return compare_rankings(outcomes, scores, ks=ks)


def compare_rankings(outcomes: list[ReplayCase], candidate_scores: list[float | None], *,
                     ks: Iterable[int] = DEFAULT_KS, seed: int = 0) -> ReplayReport:
    ks = tuple(sorted(set(ks)))
    gains = [c.relevance for c in outcomes]
    cand_order = rank(outcomes, candidate_scores)
    candidate = ranking_metrics([gains[i] for i in cand_order], ks)
    current_scores = [c.current_score for c in outcomes]
    has_current = any(s is not None for s in current_scores)
    current = ranking_metrics([gains[i] for i in rank(outcomes, current_scores)], ks) if has_current else None
    report = ReplayReport(len(outcomes), sum(g > 0 for g in gains), sum(g == 2 for g in gains), ks, current, candidate)
    if current is not None:
        for name, cur, cand in _rows(current, candidate):
            if cur is not None and cand is not None:
                report.delta[name] = cand - cur
        report.ap_delta_ci = _bootstrap_ap_delta(outcomes, current_scores, candidate_scores, seed)
    return report


def _bootstrap_ap_delta(outcomes: list[ReplayCase], current: list[float | None], candidate: list[float | None],
                        seed: int) -> tuple[float, float] | None:
    """Resample leads with replacement; AP(candidate) - AP(current) on each resample."""
    rng, n, deltas = random.Random(seed), len(outcomes), []
    for _ in range(BOOTSTRAP_SAMPLES):
        picks = [rng.randrange(n) for _ in range(n)]
        sample = [outcomes[i] for i in picks]
        a = average_precision([sample[i].relevance > 0 for i in rank(sample, [current[j] for j in picks])])
        b = average_precision([sample[i].relevance > 0 for i in rank(sample, [candidate[j] for j in picks])])
        if a is not None and b is not None:
            deltas.append(b - a)
    if len(deltas) < BOOTSTRAP_SAMPLES // 2:
        return None
    deltas.sort()
    return deltas[int(0.025 * len(deltas))], deltas[int(0.975 * len(deltas)) - 1]


# --- loading outcomes and candidates -------------------------------------------------------

def outcome_of(event_kinds: Iterable[str]) -> str:
    kinds = set(event_kinds)
    if kinds & set(POSITIVE_KINDS):
        return "positive"
    return "replied" if kinds & set(REPLY_KINDS) else "none"


def cases_from_lead_outcomes(rows: Iterable[Any]) -> list[ReplayCase]:
    """Replay cases from ``Repository.lead_outcomes(..., with_result=True)``: contacted leads only."""
    cases = []
    for row in rows:
        if row.messages_sent <= 0:
            continue
        lead = Lead.model_validate(row.result) if row.result else None
        cases.append(ReplayCase(
            lead_id=row.lead_id, domain=row.domain, outcome=outcome_of(row.event_kinds),
            current_score=row.score, campaign_id=row.campaign_id, company=lead.company if lead else None,
            brief=CampaignBrief.model_validate(row.brief) if row.brief else None,
        ))
    return cases


def load_outcomes(repository: Any, workspace_id: str, *, campaign_id: str | None = None) -> list[ReplayCase]:
    return cases_from_lead_outcomes(repository.lead_outcomes(workspace_id, campaign_id=campaign_id, with_result=True))


def read_outcomes_jsonl(path: Path) -> list[ReplayCase]:
    """Cases from an export: ``{"campaign_id", "brief"}`` lines give a campaign's brief once; case
    lines (with ``lead_id``) may carry their own ``brief`` instead. ``#`` lines are comments."""
    briefs: dict[str, dict[str, Any]] = {}
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        row = json.loads(line)
        if "lead_id" not in row:
            briefs[row["campaign_id"]] = row["brief"]
            continue
        if not row.get("brief") and row.get("campaign_id") in briefs:
            row["brief"] = briefs[row["campaign_id"]]
        cases.append(ReplayCase.from_json(row))
    return cases


def write_outcomes_jsonl(cases: Iterable[ReplayCase], path: Path) -> int:
    """Write each campaign's brief once, then one line per case; returns the number of cases."""
    cases = list(cases)
    briefs: dict[str, dict[str, Any]] = {}
    lines = []
    for case in cases:
        row = case.to_json()
        if case.campaign_id is not None and case.brief is not None:
            briefs.setdefault(case.campaign_id, row["brief"])
            if briefs[case.campaign_id] == row["brief"]:
                row.pop("brief")
        lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
    head = [json.dumps({"campaign_id": cid, "brief": brief}, ensure_ascii=False, sort_keys=True)
            for cid, brief in briefs.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in head + lines), encoding="utf-8")
    return len(cases)


def qualifier_scorer(qualify: Callable[[Company, CampaignBrief], Any]) -> Scorer:
    """A scorer from a qualifier version ``(company, brief) -> Qualification | number`` (sync or async)."""
    def score(case: ReplayCase) -> Any:
        if case.company is None or case.brief is None:
            raise ValueError(f"lead {case.lead_id} has no stored company or brief to re-score")
        return qualify(case.company, case.brief)

    return score


def load_candidate(spec: str) -> Scorer:
    """``"package.module:function"`` -> a scorer; the function takes (company, brief)."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"{spec!r}: expected MODULE:FUNCTION, e.g. {DEFAULT_CANDIDATE}")
    return qualifier_scorer(getattr(importlib.import_module(module_name), attr))


def replay_main(source: str, candidate: str = DEFAULT_CANDIDATE, *, database_url: str | None = None,
                workspace: str = "default", campaign_id: str | None = None, ks: Iterable[int] = DEFAULT_KS,
                out: Path | None = None) -> ReplayReport:
    """What ``leadgen eval replay`` runs. ``source`` is a JSONL export or ``"db"`` (the database at
    ``database_url``, one workspace, optionally one campaign). Writes the report JSON to ``out``."""
    if source == "db":
        if database_url is None:
            raise ValueError("source 'db' needs a database_url")
        from core.db import Repository

        repository = Repository.from_url(database_url)
        cases = load_outcomes(repository, repository.ensure_workspace(workspace), campaign_id=campaign_id)
    else:
        cases = read_outcomes_jsonl(Path(source))
    report = asyncio.run(areplay(cases, load_candidate(candidate), ks=ks))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report.to_dict(), indent=2, sort_keys=True, default=str), encoding="utf-8")
    return report
