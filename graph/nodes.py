"""Graph nodes: each reads state, calls one agent, returns only the keys it changed.

Nodes take everything external from ``runtime.context`` (a :class:`graph.deps.Deps`).
"""

from __future__ import annotations

import asyncio
import time

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents import copywriter, qualifier, researcher, sequencer
from agents.experiments import prompts_for_lead
from core import metrics
from core.models import CampaignBrief, Lead, PriorOutcome
from graph.deps import Deps
from graph.state import CampaignState, LeadState
from tools.enrich import enrich_lead


async def _prior_outcomes(deps: Deps, lead: Lead) -> list[PriorOutcome]:
    if deps.memory is None or lead.company is None:
        return []
    profile = deps.memory.profile_text(lead.company)
    return await asyncio.to_thread(
        deps.memory.nearest, profile, 5, exclude_domain=lead.company.domain
    )


async def _stored_lead(deps: Deps, state: LeadState) -> Lead | None:
    """The lead a research shard (another worker) already saved for this company, if any."""
    if deps.repository is None:
        return None
    return await asyncio.to_thread(deps.repository.stored_lead, state["campaign_id"], state["url"])


async def research(state: LeadState, runtime: Runtime[Deps]) -> dict:
    deps = runtime.context
    stored = await _stored_lead(deps, state)
    if stored is not None:  # researched once already: never fetch a company twice
        return {"lead": stored.model_dump(mode="json")}
    with metrics.stage_timer("research") as outcome:
        lead = await researcher.research(
            state["url"], deps.fetcher, page_budget=deps.page_budget, index=state["index"],
            deadline=deps.research_deadline,
        )
        if deps.enrichers:  # provider data fills gaps; conflicts are kept with both sources
            lead = await enrich_lead(lead, deps.enrichers)
        outcome.set("failed" if lead.status == "error" else "ok")
    return {"lead": lead.model_dump(mode="json")}


async def qualify(state: LeadState, runtime: Runtime[Deps]) -> dict:
    deps = runtime.context
    lead = Lead.model_validate(state["lead"])
    if lead.status == "error" or lead.company is None:
        metrics.record_lead("qualify", "skipped")
        return {}
    brief = CampaignBrief.model_validate(state["brief"])
    with metrics.stage_timer("qualify") as outcome, metrics.llm_scope("qualifier", state["campaign_id"]):
        prior = await _prior_outcomes(deps, lead)
        lead.qualification = await qualifier.qualify(
            lead.company, brief, llm=deps.llm, prior=prior, budget=deps.budget
        )
        lead.status = "qualified" if lead.qualification.fit else "disqualified"
        outcome.set("ok" if lead.qualification.fit else "disqualified")
    return {"lead": lead.model_dump(mode="json")}


def route_after_research(state: LeadState) -> str:
    """A lead that already has a verdict (stored by a research shard, or a failed fetch) needs no
    qualifying or writing again: straight to save."""
    return "qualify" if state["lead"].get("status") is None else "save"


def route_after_qualify(state: LeadState) -> str:
    return "write" if state["lead"].get("status") == "qualified" else "save"


async def write(state: LeadState, runtime: Runtime[Deps]) -> dict:
    deps = runtime.context
    lead = Lead.model_validate(state["lead"])
    brief = CampaignBrief.model_validate(state["brief"])
    assert lead.qualification is not None  # route_after_qualify sends only qualified leads
    with metrics.stage_timer("write") as outcome, metrics.llm_scope("copywriter", state["campaign_id"]):
        prior = await _prior_outcomes(deps, lead)
        # An experiment on the campaign picks this company's arm (prompt versions); None = defaults.
        domain = lead.company.domain if lead.company else ""
        prompts = await asyncio.to_thread(
            prompts_for_lead, deps.repository, state["campaign_id"], domain
        )
        lead.drafts = await copywriter.write_drafts(
            lead, brief, lead.qualification, llm=deps.llm, prior=prior, budget=deps.budget,
            prompts=prompts,
        )
        outcome.set("ok" if lead.drafts else "skipped")
    metrics.record_guard_flags(flag for draft in lead.drafts for flag in draft.flags)
    return {"lead": lead.model_dump(mode="json")}


async def save(state: LeadState, runtime: Runtime[Deps]) -> dict:
    """Persist the finished lead; its drafts become pending approval items."""
    deps = runtime.context
    lead = Lead.model_validate(state["lead"])
    if deps.budget is not None and lead.company is not None:
        usage = deps.budget.usage_by_lead().get(lead.company.domain)
        if usage is not None:
            lead.usage = dict(vars(usage))
    await asyncio.to_thread(deps.repository.save_lead, state["campaign_id"], lead)
    items = await asyncio.to_thread(
        deps.repository.approval_ids_for_lead, state["campaign_id"], lead.url
    )
    approvals = {aid: {"index": lead.index, "step": step} for aid, step in items.items()}
    return {"leads": [lead.model_dump(mode="json")], "approvals": approvals}


async def approval(state: CampaignState, runtime: Runtime[Deps]) -> dict:
    """Pause until reviewers decide. Decisions live in the database (the approval queue);
    resuming only wakes the graph. No side effects here: the node re-runs on resume."""
    deps = runtime.context
    known = state.get("approvals", {})
    decided = await asyncio.to_thread(deps.repository.decisions, state["campaign_id"])
    new = {
        aid: {"action": action}
        for aid, action in decided.items()
        if aid in known and aid not in state.get("decisions", {})
    }
    if new:
        _count_reviewed_leads(known, state.get("decisions", {}), new)
        return {"decisions": new}
    pending = sorted(aid for aid in known if aid not in decided)
    if pending:
        interrupt({"campaign_id": state["campaign_id"], "pending": pending})
    return {}


def _count_reviewed_leads(approvals: dict, before: dict, new: dict) -> None:
    """A lead finishes review when its last draft is decided: ``ok`` if any draft was approved."""
    decided = {**before, **new}
    items: dict[int, list[str]] = {}
    for aid, item in approvals.items():
        items.setdefault(item["index"], []).append(aid)
    for aids in items.values():
        if all(aid in decided for aid in aids) and not all(aid in before for aid in aids):
            approved = any(decided[aid]["action"] == "approve" for aid in aids)
            metrics.record_lead("review", "ok" if approved else "disqualified")


def route_after_approval(state: CampaignState) -> str:
    decisions = state.get("decisions", {})
    queued = set(state.get("queued", []))
    if any(d["action"] == "approve" and aid not in queued for aid, d in decisions.items()):
        return "send"
    if all(aid in decisions for aid in state.get("approvals", {})):
        return "__end__"
    return "approval"


async def send(state: CampaignState, runtime: Runtime[Deps]) -> dict:
    """Queue approved drafts in the outbox (unique key per campaign/contact/step), then
    deliver what is due now. Safe to re-run: both steps are idempotent."""
    deps = runtime.context
    queued = set(state.get("queued", []))
    approved = [
        aid
        for aid, d in state.get("decisions", {}).items()
        if d["action"] == "approve" and aid not in queued
    ]
    now = deps.clock()
    leads = {state.get("approvals", {}).get(aid, {}).get("index", aid) for aid in approved}
    started = time.perf_counter()
    try:
        await sequencer.queue_approved(deps.repository, approved, now=now, policy=deps.send_policy)
        await sequencer.deliver_due(
            deps.repository,
            deps.mailer,
            now=now,
            campaign_id=state["campaign_id"],
            public_base_url=deps.public_base_url,
            secret_key=deps.secret_key,
            policy=deps.send_policy,
        )
    except Exception:
        _count_sent_leads(len(leads), "failed", time.perf_counter() - started)
        raise
    _count_sent_leads(len(leads), "ok", time.perf_counter() - started)
    return {"queued": approved}


def _count_sent_leads(count: int, outcome: str, seconds: float) -> None:
    for _ in range(count):  # the leads whose approved drafts this run queued and sent together
        metrics.record_lead("send", outcome, seconds)


def route_after_send(state: CampaignState) -> str:
    decided = state.get("decisions", {})
    return "approval" if any(aid not in decided for aid in state.get("approvals", {})) else "__end__"
