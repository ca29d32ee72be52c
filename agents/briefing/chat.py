"""One turn of the briefing chat: read the message (rules or LLM), merge and validate it, then decide
deterministically what comes next: ask for the first missing slot, ask to confirm, create, or cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError

from agents.briefing.draft import BriefDraft, BriefUpdate, apply_update, missing, to_campaign_brief
from agents.briefing.llm import update_from_llm
from agents.briefing.reply import confirm_question, question, summary
from agents.briefing.rules import update_from_text
from core.models import CampaignBrief, Engine
from tools.llm import TokenBudget

Action = Literal["ask", "confirm", "create", "cancel"]
GREETING = "Hi! I'll help you brief a campaign."
_NOT_YET = re.compile(r"^(?:no|nope|not yet|wait|hold on|hang on)\b", re.I)


@dataclass
class Turn:
    draft: BriefDraft
    reply: str
    missing: list[str]
    action: Action
    engine: Engine = "rules"
    brief: CampaignBrief | None = None  # the finished brief when ``action`` is confirm or create
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and self.brief is not None


def opening(draft: BriefDraft) -> Turn:
    """The first answer of a briefing that starts without a message."""
    turn = next_step(draft, [])
    turn.reply = f"{GREETING} {turn.reply}"
    return turn


async def brief_turn(
    draft: BriefDraft,
    text: str,
    *,
    llm: BaseChatModel | None = None,
    history: list[dict] | None = None,
    budget: TokenBudget | None = None,
) -> Turn:
    """Read ``text`` into ``draft``; any LLM failure falls back to the rules engine and says so."""
    notes: list[str] = []
    engine: Engine = "rules"
    update: BriefUpdate | None = None
    if llm is not None:
        try:
            update = await update_from_llm(llm, draft, text, history=history, budget=budget)
            engine = "llm"
        except Exception as exc:  # provider, budget or output failure: the rules still answer
            notes.append(f"(The language model failed with {type(exc).__name__}; I read your message "
                         "with the rules engine instead.)")
    if update is None:
        update = update_from_text(text, asked=draft.asked)
    turn = _decide(draft, update, text, notes)
    turn.engine = engine
    return turn


def _decide(draft: BriefDraft, update: BriefUpdate, text: str, notes: list[str]) -> Turn:
    if update.cancel and update.is_empty():
        return Turn(draft, "Briefing cancelled; nothing was created.", missing(draft), "cancel")
    if update.confirm and update.is_empty():
        turn = next_step(draft, notes)
        if turn.action == "confirm" and draft.asked == "confirm":
            turn.action = "create"
            turn.reply = f"Creating the campaign \"{draft.name}\"..."
        elif turn.action == "ask":
            turn.reply = f"Not yet: a few things are still missing.\n\n{turn.reply}"
        return turn
    if update.is_empty():
        hint = ("What would you like to change? For example \"change locations to UK\"."
                if draft.asked == "confirm" and _NOT_YET.match(text.strip())
                else "I could not find anything for the brief in that message.")
        turn = next_step(draft, notes)
        turn.reply = f"{hint}\n\n{turn.reply}"
        return turn
    new, problems = apply_update(draft, update)
    return next_step(new, [*notes, *problems])


def next_step(draft: BriefDraft, notes: list[str]) -> Turn:
    """Summary plus one question for the first missing slot, or the confirmation question."""
    draft = draft.model_copy(deep=True)
    gaps = missing(draft)
    brief = None
    if not gaps:
        try:
            brief = to_campaign_brief(draft)
        except ValidationError as exc:  # a value only the full brief rejects: ask about it again
            new, problems = _revalidated(draft, exc)
            return next_step(new, [*notes, *problems])
    draft.asked = gaps[0] if gaps else "confirm"
    ask = question(gaps[0], draft) if gaps else confirm_question(draft)
    reply = "\n\n".join([*notes, summary(draft), ask])
    return Turn(draft, reply, gaps, "ask" if gaps else "confirm", brief=brief, notes=list(notes))


def _revalidated(draft: BriefDraft, exc: ValidationError) -> tuple[BriefDraft, list[str]]:
    new, problems = apply_update(draft, BriefUpdate())
    if not problems:  # nothing left to drop: report the error itself rather than loop
        raise exc
    return new, problems
