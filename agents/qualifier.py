"""Qualifier: decides whether a researched company fits a campaign's ICP, with a score, reasons
and sourced evidence.

Rules engine (``agents.icp``) by default; with an ``llm``, the model proposes fit/score/reasons/
evidence as structured output, while the rules still enforce the hard constraints (exclusions,
known team size, known location, required signals known absent) and evidence may cite only URLs
the company object holds. Any LLM failure falls back to the rules engine and says so.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.icp import (
    FIT_THRESHOLD,
    company_urls,
    effective_icp,
    hard_failures,
    score_company,
)
from agents.icp.prior import prior_adjustment
from agents.icp.scoring import HARD_FAIL_CAP
from core.models import ICP, CampaignBrief, Company, Evidence, PriorOutcome, Qualification
from prompts.data_block import company_data_block
from prompts.registry import get_prompt
from tools.llm import TokenBudget, structured_call

SYSTEM_PROMPT = "qualifier/llm_system"
USER_PROMPT = "qualifier/llm_qualify"
MAX_REASONS = 8


class EvidenceOut(BaseModel):
    claim: str = Field(description="The fact, quoted or minimally paraphrased from the company data.")
    source_url: str = Field(description="The exact source URL given for that fact in company_data.")


class QualificationOut(BaseModel):
    """How well the company fits the ICP, with the facts that show it."""

    fit: bool
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list)
    evidence: list[EvidenceOut] = Field(default_factory=list)
    confidence: float = Field(default=0.5, ge=0, le=1)


def qualify_rules(
    company: Company, brief: CampaignBrief, prior: list[PriorOutcome] | None = None
) -> Qualification:
    """The deterministic engine: pure, no I/O."""
    return score_company(effective_icp(brief), company, prior)


async def qualify(
    company: Company,
    brief: CampaignBrief,
    *,
    llm: BaseChatModel | None = None,
    prior: list[PriorOutcome] | None = None,
    budget: TokenBudget | None = None,
) -> Qualification:
    if llm is None:
        return qualify_rules(company, brief, prior)
    icp = effective_icp(brief)
    try:
        out = await structured_call(llm, QualificationOut, _messages(company, brief, icp), budget=budget,
                                    lead_key=company.domain)
    except Exception as exc:  # any provider, budget or parsing failure: the rules still answer
        fallback = qualify_rules(company, brief, prior)
        note = f"LLM qualification failed ({type(exc).__name__}); the rules engine decided instead"
        return fallback.model_copy(update={"reasons": [note, *fallback.reasons]})
    return _merge(out, company, icp, prior)


def _messages(company: Company, brief: CampaignBrief, icp: ICP) -> list:
    system = get_prompt(SYSTEM_PROMPT).render()
    user = get_prompt(USER_PROMPT).render(
        campaign=brief.name, description=brief.description, offer=brief.offer, icp=icp,
        company_data=company_data_block(company),
    )
    return [SystemMessage(content=system), HumanMessage(content=user)]


def _merge(
    out: QualificationOut, company: Company, icp: ICP, prior: list[PriorOutcome] | None
) -> Qualification:
    """Validate the model's proposal: keep cited evidence only, apply memory, enforce hard rules."""
    allowed = company_urls(company)
    evidence = [Evidence(claim=e.claim.strip()[:300], source_url=e.source_url)
                for e in out.evidence if e.source_url in allowed and e.claim.strip()]
    reasons = [" ".join(r.split())[:300] for r in out.reasons if r.strip()][:MAX_REASONS]
    dropped = len(out.evidence) - len(evidence)
    if dropped:
        reasons.append(f"Dropped {dropped} evidence item(s) citing a URL the research did not find")
    nudge, prior_reasons = prior_adjustment(prior)
    score = max(0, min(100, out.score + nudge))
    reasons += prior_reasons
    failed = hard_failures(icp, company)
    if failed:
        reasons = [r for a in failed for r in a.reasons] + reasons
        evidence += [e for a in failed for e in a.evidence if e.source_url in allowed]
        score = 0 if failed[0].dimension == "exclude" else min(score, HARD_FAIL_CAP)
        reasons.append(
            f"Not a fit: a hard constraint failed ({', '.join(a.dimension for a in failed)}), "
            "whatever the model proposed"
        )
    fit = not failed and out.fit and score >= FIT_THRESHOLD
    if not failed and out.fit and not fit:
        reasons.append(f"Not a fit: score {score} is below the threshold of {FIT_THRESHOLD}")
    rules_confidence = score_company(icp, company).confidence
    return Qualification(
        fit=fit, score=score, reasons=reasons, evidence=evidence,
        confidence=round(min(out.confidence, rules_confidence), 2), engine="llm",
    )
