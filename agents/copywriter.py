"""Copywriter: one e-mail draft per sequence step, built on sourced company facts and checked by the guard.

Rules engine (templates + the most specific supported fact) by default; with an ``llm``, structured
output through the same guard, falling back to the rules engine on failure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from agents.guard import check_draft, is_role_address, is_supported, page_text, registrable_domain
from core.errors import BudgetExhausted
from core.models import (
    CampaignBrief,
    Claim,
    Company,
    Contact,
    Draft,
    Evidence,
    Lead,
    PriorOutcome,
    Qualification,
)
from prompts.data_block import company_data_block
from prompts.registry import Prompt, get_prompt
from tools.llm import StructuredOutputError, TokenBudget, structured_call

MAX_WORDS = 120
DEFAULT_PROMPTS = {
    "first_touch": "copywriter/first_touch", "follow_up": "copywriter/follow_up",
    "signature": "copywriter/signature", "llm_system": "copywriter/llm_system",
    "llm_draft": "copywriter/llm_draft",
}
_ANGLE_ORDER = ("funding", "launch", "news")
_POSITIVE = {"replied_positive": 1.0, "meeting": 1.5, "replied_neutral": 0.3,
             "replied_negative": -0.5, "unsubscribed": -1.0, "complained": -1.5}
_UNQUOTABLE = re.compile(r"@|https?://|www\.|\binstruction|\bignore (?:all|previous|the above)|\bprompt\b"
                         r"|\bassistant\b|\blanguage model\b", re.IGNORECASE)
_STATUS_RANK = {"found": 0, "role": 1, "guessed": 2}


class ClaimOut(BaseModel):
    text: str = Field(description="The fact about the company, quoted or minimally paraphrased from the page.")
    source_url: str = Field(description="The exact URL of the page in company_data that states it.")


class DraftOut(BaseModel):
    """One cold e-mail: subject, body (greeting + message, no signature), claims and the angle used."""

    subject: str
    body: str
    claims: list[ClaimOut] = Field(default_factory=list)
    angle: str = Field(description="funding, launch, news, hiring, product or other")


@dataclass(frozen=True)
class Hook:
    angle: str  # funding | launch | news | hiring | product
    text: str  # a quote (or a role title) the page at source_url supports
    source_url: str


def _quotable(text: str, limit: int = 28) -> str | None:
    words = " ".join(text.split()).split(" ")
    if not words[0] or _UNQUOTABLE.search(text):
        return None
    if len(words) > limit:
        clause = re.split(r"(?<=[,;:])\s", " ".join(words[:limit]))[0].rstrip(",;:")
        words = clause.split(" ") if len(clause.split(" ")) >= 6 else words[:limit]
    quote = " ".join(words)
    return quote if quote[-1] in ".?!" else quote + "."


def _supporting_url(company: Company, text: str, preferred: str | None) -> str | None:
    urls = ([preferred] if preferred else []) + list(company.pages)
    return next((u for u in urls if (p := page_text(company, u)) and is_supported(text, p)), None)


def find_hooks(company: Company, evidence: list[Evidence] | None = None) -> list[Hook]:
    """Supported facts, most specific first: launch/funding/news, open roles, product sentences
    (researcher facts, then the qualifier's evidence, then the description)."""
    candidates: list[tuple[str, str | None, str | None]] = []
    for kind in _ANGLE_ORDER:
        candidates += [(kind, _quotable(s.text), s.source_url) for s in company.signals if s.kind == kind]
    candidates += [("hiring", role.strip(), company.sources.get("open_roles")) for role in company.open_roles
                   if 2 <= len(role.split()) <= 6 and not _UNQUOTABLE.search(role)]
    candidates += [("product", _quotable(f.claim), f.source_url) for f in [*company.facts, *(evidence or [])]]
    sentences = re.split(r"(?<=[.!?])\s+", company.description or "")
    candidates += [("product", _quotable(s), company.sources.get("description")) for s in sentences if s]
    candidates += [("news", _quotable(s.text), s.source_url) for s in company.signals
                   if s.kind not in _ANGLE_ORDER and s.kind != "hiring"]
    hooks, seen = [], set()
    for angle, text, url in candidates:
        if not text or text.lower() in seen or len(text.split()) < (2 if angle == "hiring" else 4):
            continue
        if source := _supporting_url(company, text, url):
            seen.add(text.lower())
            hooks.append(Hook(angle, text, source))
    return hooks


def preferred_angle(prior: list[PriorOutcome] | None) -> str | None:
    """The angle that earned the most (similarity-weighted) replies from similar companies."""
    scores: dict[str, float] = defaultdict(float)
    for outcome in prior or []:
        if outcome.angle:
            scores[outcome.angle] += _POSITIVE.get(outcome.kind, 0.0) * max(outcome.similarity, 0.0)
    best = max(scores.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best and best[1] > 0 else None


def _next_hook(hooks: list[Hook], used: list[Hook], prefer: str | None) -> Hook | None:
    fresh = [h for h in hooks if h not in used]
    used_angles = {h.angle for h in used}
    return next((h for h in fresh if h.angle == prefer and not used), None) or next(
        (h for h in fresh if h.angle not in used_angles), None) or (fresh[0] if fresh else None)


def pick_recipient(lead: Lead) -> tuple[Contact | None, bool]:
    """Best contact on the company's own domain: found person > role inbox > guessed (second = guessed)."""
    if lead.company is None:
        return None, False
    home = registrable_domain(lead.company.domain)

    def rank(c: Contact) -> tuple[int, float, bool]:
        status = c.email_status or ("role" if is_role_address(c.email or "") else
                                    "found" if c.source_url else "guessed")
        return _STATUS_RANK[status], -(c.confidence or 0.0), c.name is None

    usable = [c for c in lead.contacts if c.email and registrable_domain(c.email) == home]
    if not usable:
        return None, False
    best = min(usable, key=rank)
    return best, rank(best)[0] == 2


def _first_name(contact: Contact | None) -> str | None:
    first = (contact.name or "").split(" ")[0] if contact else ""
    return first if first[:1].isupper() and first.replace("-", "").replace("'", "").isalpha() else None


def _offer_sentence(offer: str) -> str:
    offer = re.split(r"(?<=[.!?])\s+", offer.strip())[0].rstrip(".!? ")
    if offer.split(" ")[0].lower() in {"we", "our", "i"}:
        return offer[0].upper() + offer[1:] + "."
    lowered = offer[0].lower() + offer[1:] if offer[1:2].islower() else offer
    return f"We offer {lowered}."


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[:limit].rsplit(" ", 1)[0]


def prose_name(name: str) -> str:
    """A company name as it reads in an e-mail: "PARES AI" -> "Pares AI", "pap!" -> "pap". A
    stylised name repeated in a subject and body reads as shouting to people and spam filters;
    short acronyms ("AI", "IBM") stay as written."""
    words = [w.capitalize() if len(w) >= 4 and w.isalpha() and w.isupper() else w
             for w in name.replace("!", " ").split()]
    return " ".join(words) or name


def _topic(hook: Hook | None, company: str) -> str:
    topics = {"funding": "your funding news", "launch": "your launch", "news": "your recent news",
              "product": f"what {company} is building"}
    if hook and hook.angle == "hiring":
        return f"the {hook.text} opening" if len(hook.text.split()) <= 6 else "your open roles"
    return topics.get(hook.angle, f"{company}") if hook else f"{company}"


def _rules_draft(step: int, hook: Hook | None, first: Hook | None, lead: Lead, brief: CampaignBrief,
                 prompts: dict[str, Prompt], recipient: Contact | None) -> Draft:
    assert lead.company is not None
    company = _short(prose_name(lead.company.name or lead.company.domain))
    prompt = prompts["first_touch" if step == 1 else "follow_up"]
    text = prompt.render(company=company, first_name=_first_name(recipient), step=step,
                         angle=hook.angle if hook else "none", hook=hook.text if hook else "",
                         earlier_topic=_topic(first, company), offer_sentence=_offer_sentence(brief.offer),
                         sender=brief.sender)
    subject_line, _, body = text.partition("\n")
    body = body.strip() + "\n\n" + prompts["signature"].render(sender=brief.sender)
    claims = [Claim(text=hook.text, source_url=hook.source_url)] if hook else []
    return Draft(step=step, subject=subject_line.removeprefix("Subject:").strip(), body=body, claims=claims,
                 engine="rules", prompt_version=prompt.ref, prompt_sha256=prompt.sha256,
                 angle=hook.angle if hook else None)


async def _llm_draft(llm, step: int, lead: Lead, brief: CampaignBrief, prompts: dict[str, Prompt],
                     recipient: Contact | None, earlier: list[str], prefer: str | None,
                     budget: TokenBudget | None) -> Draft:
    assert lead.company is not None
    system, user = prompts["llm_system"], prompts["llm_draft"]
    messages = [
        SystemMessage(system.render(max_words=MAX_WORDS - 15)),
        HumanMessage(user.render(
            step=step, steps_total=brief.sequence_steps, offer=brief.offer, sender_name=brief.sender.name,
            sender_company=brief.sender.company, first_name=_first_name(recipient),
            company_name=prose_name(lead.company.name or lead.company.domain), earlier_hooks=earlier,
            preferred_angle=prefer, max_words=MAX_WORDS - 15, company_data=company_data_block(lead.company))),
    ]
    out = await structured_call(llm, DraftOut, messages, budget=budget, lead_key=lead.company.domain if lead.company else lead.url)
    body = out.body.strip() + "\n\n" + prompts["signature"].render(sender=brief.sender)
    return Draft(step=step, subject=out.subject.strip(), body=body, engine="llm",
                 claims=[Claim(text=c.text, source_url=c.source_url) for c in out.claims],
                 prompt_version=user.ref, prompt_sha256=user.sha256, angle=out.angle.strip().lower() or None)


async def write_drafts(lead: Lead, brief: CampaignBrief, qualification: Qualification, *, llm=None,
                       prompts: dict[str, str] | None = None, prior: list[PriorOutcome] | None = None,
                       budget: TokenBudget | None = None) -> list[Draft]:
    """One guarded draft per ``brief.sequence_steps``; ``prompts`` overrides refs by role
    (first_touch, follow_up, signature, llm_system, llm_draft)."""
    if lead.company is None:
        return []
    loaded = {role: get_prompt(ref) for role, ref in {**DEFAULT_PROMPTS, **(prompts or {})}.items()}
    recipient, guessed = pick_recipient(lead)
    hooks, prefer = find_hooks(lead.company, qualification.evidence), preferred_angle(prior)
    used: list[Hook] = []
    first: Hook | None = None  # the first touch's hook, which follow-ups point back to
    earlier_claims: list[str] = []
    drafts: list[Draft] = []
    for step in range(1, brief.sequence_steps + 1):
        fallback_flag = None
        draft = None
        if llm is not None:
            try:
                draft = await _llm_draft(llm, step, lead, brief, loaded, recipient, earlier_claims,
                                         prefer, budget)
            except BudgetExhausted:
                llm, fallback_flag = None, "llm_budget_exhausted"  # no further calls this lead
            except StructuredOutputError:
                fallback_flag = "llm_fallback"
        if draft is None:
            hook = _next_hook(hooks, used, prefer)
            used += [hook] if hook else []
            draft = _rules_draft(step, hook, first, lead, brief, loaded, recipient)
        flags = [f for f in (fallback_flag, "guessed_recipient" if guessed else None,
                             None if recipient else "no_recipient") if f]
        draft = draft.model_copy(update={
            "to_email": recipient.email if recipient else None,
            "to_name": recipient.name if recipient else None, "flags": flags})
        draft = check_draft(draft, lead, brief, max_words=MAX_WORDS)
        earlier_claims += [c.text for c in draft.claims]
        if step == 1 and draft.claims:
            first = Hook(draft.angle or "product", draft.claims[0].text, draft.claims[0].source_url)
        used += [h for h in hooks if h not in used and any(  # an LLM claim may paraphrase a hook
            is_supported(c, h.text) or is_supported(h.text, c) for c in earlier_claims)]
        drafts.append(draft)
    return drafts
