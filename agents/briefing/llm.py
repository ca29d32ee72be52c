"""The briefing chat's LLM engine: the model reads one message into a ``BriefUpdate`` (structured
output); values it cannot point to in the person's own words are dropped before they are used."""

from __future__ import annotations

import json
import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from agents.briefing.draft import BriefDraft, BriefUpdate
from agents.briefing.reply import QUESTIONS
from agents.briefing.rules import is_confirmation
from prompts.data_block import neutralise
from prompts.registry import get_prompt
from tools.llm import TokenBudget, structured_call

SYSTEM_PROMPT = "briefing/llm_system"
USER_PROMPT = "briefing/llm_extract"
MESSAGE_BUDGET_CHARS = 4000
HISTORY_TURNS = 6


async def update_from_llm(
    llm: BaseChatModel,
    draft: BriefDraft,
    text: str,
    *,
    history: list[dict] | None = None,
    budget: TokenBudget | None = None,
) -> BriefUpdate:
    """Ask the model for the update one message makes; raises on provider or output failure."""
    update = await structured_call(llm, BriefUpdate, messages(draft, text, history or []), budget=budget,
                                   lead_key="briefing")
    return grounded(update, text)


def messages(draft: BriefDraft, text: str, history: list[dict]) -> list:
    brief = draft.model_dump(mode="json", exclude={"asked", "name_given"})
    conversation = "\n".join(
        f"{m.get('role', 'user')}: {neutralise(str(m.get('content', '')))[:600]}"
        for m in history[-HISTORY_TURNS:]
    )
    user = get_prompt(USER_PROMPT).render(
        brief=neutralise(json.dumps(brief, ensure_ascii=False)),
        asked=QUESTIONS.get(draft.asked or "", "confirm creating the campaign" if draft.asked else ""),
        conversation=conversation or "(none)",
        message=neutralise(text)[:MESSAGE_BUDGET_CHARS],
    )
    return [SystemMessage(content=get_prompt(SYSTEM_PROMPT).render()), HumanMessage(content=user)]


def grounded(update: BriefUpdate, text: str) -> BriefUpdate:
    """Keep only identifiers the message really contains: an e-mail address, companies and a postal
    address the model returns must appear in the person's text (whitespace and case aside)."""
    haystack = _squash(text)
    clean = update.model_copy(deep=True)
    for field in ("sender_email", "postal_address"):
        value = getattr(clean, field)
        if value and _squash(value) not in haystack:
            setattr(clean, field, None)
    clean.companies = [c for c in clean.companies if _squash(_host(c)) in haystack]
    for field in ("name", "offer", "description", "sender_name", "sender_company", "postal_address"):
        value = getattr(clean, field)
        if isinstance(value, str):
            setattr(clean, field, " ".join(value.split())[:500] or None)
    clean.confirm = clean.confirm or is_confirmation(text)
    return clean


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url.strip(), flags=re.I).split("/", 1)[0]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()
