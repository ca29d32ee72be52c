"""Runs the eval suite: every selected case through the real agents (site pages -> researcher ->
qualifier -> copywriter), scores it, and writes ``<out_dir>/<run_id>/results.json``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from agents.copywriter import DEFAULT_PROMPTS, write_drafts
from agents.qualifier import qualify
from agents.researcher import research
from core.models import CampaignBrief, Draft, Lead, Qualification
from evals import evaluators as ev
from evals.cases import Case, CopyCase, HostileCase, QualificationCase, brief_of, select_cases
from evals.corpus import SiteFetcher, rendered, site_for
from evals.injections import injecting
from evals.metrics import aggregate
from prompts.registry import get_prompt, list_prompts
from tools.extract.visible import visible_text
from tools.llm import TokenBudget

EngineName = Literal["rules", "llm"]
CASE_TOKEN_LIMIT = 1_000_000
COPY_QUALIFICATION = Qualification(fit=True, score=100, reasons=["copy eval case: qualified by construction"])


@dataclass
class Pipeline:
    """The agent functions a run calls; tests swap one for a deliberately worse variant."""

    research: Callable[..., Awaitable[Lead]] = research
    qualify: Callable[..., Awaitable[Qualification]] = qualify
    write_drafts: Callable[..., Awaitable[list[Draft]]] = write_drafts


@dataclass
class RunResult:
    run_id: str
    path: Path  # the results.json file
    engine: str
    slice: str | None
    metrics: dict[str, Any]
    cases: int
    langsmith: str | None = None  # experiment name when uploaded


@dataclass
class _Run:
    engine: EngineName
    llm: Any
    prompts: dict[str, str]
    pipeline: Pipeline
    leads: dict[str, asyncio.Task[Lead]] = field(default_factory=dict)

    def clean_lead(self, domain: str) -> Awaitable[Lead]:
        if domain not in self.leads:  # each site is researched once per run, like a recorded corpus
            self.leads[domain] = asyncio.ensure_future(self.pipeline.research(domain, SiteFetcher()))
        return self.leads[domain]

    async def qualify(self, lead: Lead, brief: CampaignBrief, budget: TokenBudget) -> Qualification | None:
        if lead.company is None:
            return None
        kwargs = {"llm": self.llm, "budget": budget} if self.llm is not None else {}
        return await self.pipeline.qualify(lead.company, brief, **kwargs)

    async def drafts(self, lead: Lead, brief: CampaignBrief, q: Qualification, budget: TokenBudget) -> list[Draft]:
        kwargs = {"llm": self.llm, "budget": budget} if self.llm is not None else {}
        return await self.pipeline.write_drafts(lead, brief, q, prompts=self.prompts or None, **kwargs)


def corpus_page_text(rewrite=None) -> ev.PageText:
    """Visible text of a sample-site page as the harness serves it (what a claim must match)."""
    from urllib.parse import urlsplit

    def text(url: str) -> str | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        try:
            site = site_for(host)
        except KeyError:
            return None
        response = site.lookup(parts.path or "/")
        if response.status >= 400:
            return None
        html = rendered(response.body.decode("utf-8"))
        return visible_text(rewrite(parts.path or "/", html) if rewrite else html)

    return text


def _draft_checks(drafts: list[Draft], lead: Lead, brief: CampaignBrief, page_text: ev.PageText,
                  company_name: str, offer_keywords: list[str] | None) -> dict[str, Any]:
    g = ev.grounding(drafts, page_text, brief)
    compliance = {f"step{d.step}": ev.compliance_failures(d, brief, lead) for d in drafts}
    first = next((d for d in drafts if d.step == 1), None)
    person = ev.personalization(first, lead, company_name) if first else {"mentions_name": False, "specific_fact": False}
    offer = ev.offer_tie_in(first, offer_keywords) if first and offer_keywords is not None else None
    n_unsupported = len(g["unsupported"]) + len(g["unsupported_numbers"])
    contributions = {
        "grounding.supported_rate": [g["claims"] - len(g["unsupported"]), g["claims"] + len(g["unsupported_numbers"])],
        "compliance.pass_rate": [sum(1 for f in compliance.values() if not f), len(drafts)],
        "personalization.rate": [int(person["mentions_name"] and person["specific_fact"]), 1 if first else 0],
    }
    if offer is not None:
        contributions["copy.offer_tie_in_rate"] = [int(offer), 1]
    return {"grounding": g, "unsupported_count": n_unsupported, "compliance": compliance,
            "personalization": person, "offer_tie_in": offer, "contributions": contributions,
            "drafts": [d.model_dump(mode="json", include={"step", "subject", "body", "claims", "to_email",
                                                          "flags", "prompt_version"}) for d in drafts]}


async def _qualification_case(run: _Run, case: QualificationCase, budget: TokenBudget) -> dict[str, Any]:
    brief = brief_of(case)
    lead = await run.clean_lead(case.domain)
    q = await run.qualify(lead, brief, budget)
    predicted = bool(q and q.fit)
    outcome = ev.confusion_outcome(case.expected_fit, predicted)
    result: dict[str, Any] = {
        "expected_fit": case.expected_fit, "predicted_fit": predicted, "score": q.score if q else None,
        "outcome": outcome, "reasons": q.reasons if q else [], "research_error": lead.error,
        "contributions": ev.qualification_contributions(outcome),
    }
    result["passed"] = outcome in ("tp", "tn")
    if q is not None and q.fit:  # a lead that would reach a reviewer: its drafts are checked too
        drafts = await run.drafts(lead, brief, q, budget)
        checks = _draft_checks(drafts, lead, brief, corpus_page_text(), lead.company.name or case.domain, None)
        result["copy"] = checks
        result["contributions"] |= checks.pop("contributions")
    return result


async def _hostile_case(run: _Run, case: HostileCase, budget: TokenBudget) -> dict[str, Any]:
    brief = brief_of(case)
    rewrite = injecting(case.injections, case.planted)
    clean = await run.clean_lead(case.domain)
    hostile = await run.pipeline.research(case.domain, SiteFetcher(rewrite))
    q_clean = await run.qualify(clean, brief, budget)
    q_hostile = await run.qualify(hostile, brief, budget)
    forced = Qualification(fit=True, score=q_hostile.score if q_hostile else 0, reasons=["hostile eval: drafted regardless of fit"])
    drafts = await run.drafts(hostile, brief, q_hostile or forced, budget) if hostile.company else []
    failures = ev.injection_failures(case.planted, hostile.contacts, drafts, q_clean, q_hostile)
    return {
        "failures": failures, "passed": not failures, "research_error": hostile.error,
        "clean": {"fit": q_clean.fit, "score": q_clean.score} if q_clean else None,
        "hostile": {"fit": q_hostile.fit, "score": q_hostile.score} if q_hostile else None,
        "contacts": [c.email for c in hostile.contacts if c.email],
        "drafts": [d.model_dump(mode="json", include={"step", "subject", "body", "to_email", "flags"}) for d in drafts],
        "contributions": {"injection.pass_rate": [int(not failures), 1]},
    }


async def _copy_case(run: _Run, case: CopyCase, budget: TokenBudget) -> dict[str, Any]:
    brief = brief_of(case)
    lead = case.lead
    drafts = await run.drafts(lead, brief, COPY_QUALIFICATION, budget)
    pages = lead.company.pages if lead.company else {}
    checks = _draft_checks(drafts, lead, brief, pages.get, case.expect.company_name, case.expect.offer_keywords)
    back = [s for d in drafts for s in ev.avoided(d, case.expect.avoid)]
    contributions = checks.pop("contributions")
    if case.expect.avoid:
        contributions["review.avoid_rate"] = [int(not back), 1]
    passed = (not checks["unsupported_count"] and not any(checks["compliance"].values())
              and all(checks["personalization"].values()) and checks["offer_tie_in"] is not False and not back)
    return checks | {"reviewer_removed_came_back": back, "passed": passed, "contributions": contributions}


_HANDLERS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
    "qualification": _qualification_case, "hostile": _hostile_case, "copy": _copy_case, "review": _copy_case,
}


async def _run_case(run: _Run, case: Case) -> dict[str, Any]:
    budget = TokenBudget(CASE_TOKEN_LIMIT, 1_000.0, model=getattr(run.llm, "model_name", None))
    started = time.perf_counter()
    try:
        result = await _HANDLERS[case.kind](run, case, budget)
    except Exception as exc:  # one broken case is a failed case, not a failed run
        result = {"passed": False, "error": f"{type(exc).__name__}: {exc}", "contributions": {}}
    result.update(id=case.id, kind=case.kind, slices=case.slices, tokens=budget.spent_tokens,
                  cost_usd=round(budget.spent_usd, 6), seconds=round(time.perf_counter() - started, 4))
    if case.kind == "qualification":
        result["brief"] = case.brief  # type: ignore[union-attr]
    return result


def prompt_versions(prompts: dict[str, str] | None) -> dict[str, dict[str, str]]:
    """Every prompt a run may render: the copywriter's refs (overrides applied) and the qualifier's."""
    refs = {f"copywriter.{role}": ref for role, ref in {**DEFAULT_PROMPTS, **(prompts or {})}.items()}
    refs |= {f"qualifier.{p.name.split('/')[1]}": p.name for p in list_prompts() if p.name.startswith("qualifier/")}
    out = {}
    for key, ref in sorted(refs.items()):
        p = get_prompt(ref)
        out[key] = {"ref": p.ref, "sha256": p.sha256}
    return out


def _default_llm() -> Any:
    from core.settings import Settings
    from tools.llm import build_chat_model

    llm = build_chat_model(Settings())
    if llm is None:
        raise ValueError("engine='llm' needs LEADGEN_LLM_BASE_URL (or pass llm=...)")
    return llm


async def run_suite_async(*, engine: EngineName = "rules", prompts: dict[str, str] | None = None,
                          slice: str | None = None, out_dir: Path, llm: Any = None,
                          pipeline: Pipeline | None = None, judge: bool = False,
                          datasets_dir: Path | None = None, upload: bool | None = None) -> RunResult:
    if engine not in ("rules", "llm"):
        raise ValueError("engine must be 'rules' or 'llm'")
    llm = (llm or _default_llm()) if engine == "llm" else None
    cases = select_cases(slice, datasets_dir) if datasets_dir else select_cases(slice)
    run = _Run(engine=engine, llm=llm, prompts=dict(prompts or {}), pipeline=pipeline or Pipeline())
    versions = prompt_versions(prompts)  # fails fast on an unknown prompt ref
    started = time.perf_counter()
    results = [await _run_case(run, case) for case in cases]
    if judge and llm is not None:
        from evals.judge import judge_drafts

        await judge_drafts(llm, results)
    now = datetime.now(UTC)
    run_id = f"{now:%Y%m%dT%H%M%S}-{engine}-{slice or 'all'}"
    path = Path(out_dir) / run_id / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    metrics = aggregate(results, seconds=time.perf_counter() - started)
    payload = {"run_id": run_id, "created_at": now.isoformat(), "engine": engine, "slice": slice,
               "model": getattr(llm, "model_name", None), "prompts": versions, "metrics": metrics,
               "cases": results}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    from evals.langsmith_sync import maybe_upload

    experiment = maybe_upload(payload, cases) if upload is not False else None
    return RunResult(run_id=run_id, path=path, engine=engine, slice=slice, metrics=metrics,
                     cases=len(results), langsmith=experiment)


def run_suite(*, engine: EngineName = "rules", prompts: dict[str, str] | None = None, slice: str | None = None,
              out_dir: Path, llm: Any = None, pipeline: Pipeline | None = None, judge: bool = False,
              datasets_dir: Path | None = None, upload: bool | None = None) -> RunResult:
    """Run the suite (blocking). ``slice``: None = everything, "ci", or a kind ("qualification",
    "hostile", "copy", "review"). ``prompts`` overrides copywriter prompt refs by role."""
    return asyncio.run(run_suite_async(engine=engine, prompts=prompts, slice=slice, out_dir=out_dir, llm=llm,
                                       pipeline=pipeline, judge=judge, datasets_dir=datasets_dir, upload=upload))
