"""The chat briefing: a conversation that fills a campaign brief and, on confirmation, creates and
starts the campaign through the campaigns service. Answers are JSON, or Server-Sent Events
(``delta`` chunks of the reply, then one ``message`` with the full answer) for ``text/event-stream``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response, status
from fastapi.responses import StreamingResponse
from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError

from agents.briefing import BriefDraft, Turn, brief_turn, created_reply, opening, partial_brief
from agents.briefing.draft import RUNNABLE_DISCOVERY, missing, to_campaign_brief
from api.auth import Principal
from api.context import AppContext, Caller, Context, Launcher, Reviewer
from api.launcher import CampaignLauncher
from api.routers.campaigns import create_campaign
from api.schemas import BriefingMessageIn, BriefingOut, BriefingStartIn, CampaignIn
from core.db.briefing_store import BriefingView
from core.errors import Conflict
from core.models import Discovery
from tools.llm import TokenBudget, build_chat_model

router = APIRouter(prefix="/api/v1/briefings", tags=["briefings"])
SSE_CHUNK_WORDS = 6


def get_briefing_model(request: Request) -> BaseChatModel | None:
    """The chat model of the LLM engine (``None``: rules engine); tests override this dependency."""
    return build_chat_model(request.app.state.context.settings)


ChatModel = Annotated[BaseChatModel | None, Depends(get_briefing_model)]


@router.post("", response_model=BriefingOut, status_code=status.HTTP_201_CREATED,
             responses={201: {"content": {"text/event-stream": {}}}})
async def start_briefing(
    request: Request, principal: Reviewer, ctx: Context, launcher: Launcher, llm: ChatModel,
    body: Annotated[BriefingStartIn | None, Body()] = None,
) -> Response | BriefingOut:
    repo = ctx.repository
    view = await asyncio.to_thread(repo.create_briefing, principal.workspace_id, principal.user_id,
                                   BriefDraft().model_dump(mode="json"))
    await asyncio.to_thread(repo.audit, principal.workspace_id, principal.actor, "briefing.create",
                            "briefing", view.id, None, None)
    text = body.content if body and body.content else None
    answer = await converse(ctx, principal, launcher, llm, view, text)
    return _respond(request, answer, status.HTTP_201_CREATED)


@router.post("/{briefing_id}/messages", response_model=BriefingOut,
             responses={200: {"content": {"text/event-stream": {}}}})
async def post_message(
    briefing_id: str, body: BriefingMessageIn, request: Request, principal: Reviewer, ctx: Context,
    launcher: Launcher, llm: ChatModel,
) -> Response | BriefingOut:
    view = await asyncio.to_thread(ctx.repository.get_briefing, briefing_id, principal.workspace_id)
    if view.status != "open":
        raise Conflict(f"briefing {briefing_id} is {view.status}"
                       + (f" (campaign {view.campaign_id})" if view.campaign_id else ""))
    answer = await converse(ctx, principal, launcher, llm, view, body.content)
    return _respond(request, answer, status.HTTP_200_OK)


@router.get("/{briefing_id}", response_model=BriefingOut)
async def get_briefing(briefing_id: str, principal: Caller, ctx: Context) -> BriefingOut:
    view = await asyncio.to_thread(ctx.repository.get_briefing, briefing_id, principal.workspace_id)
    draft = BriefDraft.model_validate(view.brief)
    last: dict = next((m for m in reversed(view.messages) if m.get("role") == "assistant"), {})
    return _out(view, draft, last.get("content", ""), last.get("engine", "rules"))


async def converse(
    ctx: AppContext, principal: Principal, launcher: CampaignLauncher, llm: BaseChatModel | None,
    view: BriefingView, text: str | None,
) -> BriefingOut:
    """One turn: read the message, create the campaign on confirmation, save and answer."""
    draft = BriefDraft.model_validate(view.brief)
    if text is None:
        turn = opening(draft)
    else:
        budget = TokenBudget.from_settings(ctx.settings) if llm is not None else None
        turn = await brief_turn(draft, text, llm=llm, history=view.messages, budget=budget)
    state, campaign_id, reply = "open", None, turn.reply
    if turn.action == "create" and turn.brief is not None:
        campaign_id, reply = await _create(ctx, principal, launcher, turn)
        state = "complete" if campaign_id else "open"
    elif turn.action == "cancel":
        state = "cancelled"
    now = datetime.now(UTC).isoformat()
    messages = list(view.messages)
    if text is not None:
        messages.append({"role": "user", "content": text, "at": now})
    messages.append({"role": "assistant", "content": reply, "at": now, "engine": turn.engine})
    saved = await asyncio.to_thread(
        ctx.repository.save_briefing, view.id, principal.workspace_id, messages=messages,
        brief=turn.draft.model_dump(mode="json"), status=state, campaign_id=campaign_id,
    )
    return _out(saved, turn.draft, reply, turn.engine)


async def _create(
    ctx: AppContext, principal: Principal, launcher: CampaignLauncher, turn: Turn
) -> tuple[str | None, str]:
    """The same path as ``POST /api/v1/campaigns``; a list the campaign API refuses becomes a question."""
    assert turn.brief is not None
    try:
        discovery = (
            Discovery(source=turn.draft.discovery)
            if not turn.draft.companies and turn.draft.discovery in RUNNABLE_DISCOVERY
            else None
        )
        body = CampaignIn(brief=turn.brief, companies=turn.draft.companies, discovery=discovery)
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        return None, f"The company list was not accepted: {problems}. Please send the websites again."
    campaign = await create_campaign(body, principal, ctx, launcher)
    return campaign.id, created_reply(turn.draft, campaign.id)


def _out(view: BriefingView, draft: BriefDraft, reply: str, engine: str) -> BriefingOut:
    gaps = missing(draft)
    complete = view.status == "complete" or (not gaps and _valid(draft))
    return BriefingOut(
        id=view.id, reply=reply, brief=partial_brief(draft), companies=list(draft.companies),
        discovery=draft.discovery, missing=gaps, complete=complete, status=view.status,
        campaign_id=view.campaign_id, engine="llm" if engine == "llm" else "rules",
    )


def _valid(draft: BriefDraft) -> bool:
    try:
        to_campaign_brief(draft)
    except ValidationError:
        return False
    return True


def _respond(request: Request, answer: BriefingOut, status_code: int) -> Response | BriefingOut:
    if "text/event-stream" not in request.headers.get("accept", ""):
        return answer
    return StreamingResponse(_events(answer), status_code=status_code, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(answer: BriefingOut) -> AsyncIterator[str]:
    words = answer.reply.split(" ")
    for start in range(0, len(words), SSE_CHUNK_WORDS):
        chunk = " ".join(words[start:start + SSE_CHUNK_WORDS])
        if start + SSE_CHUNK_WORDS < len(words):
            chunk += " "
        yield _event("delta", json.dumps({"text": chunk}))
    yield _event("message", answer.model_dump_json())


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"
