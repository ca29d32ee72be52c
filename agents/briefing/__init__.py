"""The briefing assistant: a chat that fills a ``CampaignBrief`` slot by slot (rules engine, or an
LLM extracting structured updates) and decides deterministically what to ask next."""

from agents.briefing.chat import Turn, brief_turn, opening
from agents.briefing.draft import BriefDraft, BriefUpdate, apply_update, missing, partial_brief
from agents.briefing.reply import created_reply
from agents.briefing.rules import update_from_text

__all__ = [
    "BriefDraft", "BriefUpdate", "Turn", "apply_update", "brief_turn", "created_reply", "missing",
    "opening", "partial_brief", "update_from_text",
]
