"""Campaigns of the caller's workspace: create (and start), list, progress, pause/resume/cancel, export."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Query, Response, status

from api.context import Caller, Context, Launcher, Reviewer
from api.export import to_csv, to_jsonl
from api.schemas import MAX_OFFSET, CampaignIn, CampaignOut
from core.errors import Conflict

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"])

# status -> the statuses a campaign may be in for the change to apply
PAUSABLE = ("draft", "running", "awaiting_approval", "sending")
FINISHED = ("completed", "cancelled", "failed")


@router.post("", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
async def create_campaign(
    body: CampaignIn, principal: Reviewer, ctx: Context, launcher: Launcher
) -> CampaignOut:
    repo = ctx.repository
    engine = "llm" if ctx.settings.llm_enabled else "rules"
    discovery = body.discovery.model_dump(mode="json") if body.discovery else None
    campaign_id = await asyncio.to_thread(
        repo.create_campaign, body.brief, body.companies,
        workspace_id=principal.workspace_id, engine=engine, discovery=discovery,
    )
    await asyncio.to_thread(repo.audit, principal.workspace_id, principal.actor,
                            "campaign.create", "campaign", campaign_id, None,
                            {"name": body.brief.name, "inputs": len(body.companies), "discovery": discovery})
    await launcher.start(campaign_id)
    view = await asyncio.to_thread(repo.get_campaign, campaign_id, principal.workspace_id)
    return CampaignOut.of(view)


@router.get("", response_model=list[CampaignOut])
async def list_campaigns(
    principal: Caller, ctx: Context,
    limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[CampaignOut]:
    views = await asyncio.to_thread(
        ctx.repository.list_campaigns, principal.workspace_id, limit=limit, offset=offset
    )
    return [CampaignOut.of(v) for v in views]


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(campaign_id: str, principal: Caller, ctx: Context) -> CampaignOut:
    view = await asyncio.to_thread(ctx.repository.get_campaign, campaign_id, principal.workspace_id)
    return CampaignOut.of(view)


async def _change_status(ctx, principal, campaign_id: str, allowed: tuple[str, ...], new: str):
    repo = ctx.repository
    view = await asyncio.to_thread(repo.get_campaign, campaign_id, principal.workspace_id)
    if view.status not in allowed:
        raise Conflict(f"campaign {campaign_id} is {view.status}; cannot become {new}")
    updated = await asyncio.to_thread(repo.set_campaign_status, campaign_id, new)
    await asyncio.to_thread(repo.audit, principal.workspace_id, principal.actor,
                            f"campaign.{new}", "campaign", campaign_id,
                            {"status": view.status}, {"status": new})
    return updated


@router.post("/{campaign_id}/pause", response_model=CampaignOut)
async def pause(campaign_id: str, principal: Reviewer, ctx: Context) -> CampaignOut:
    return CampaignOut.of(await _change_status(ctx, principal, campaign_id, PAUSABLE, "paused"))


@router.post("/{campaign_id}/resume", response_model=CampaignOut)
async def resume(
    campaign_id: str, principal: Reviewer, ctx: Context, launcher: Launcher
) -> CampaignOut:
    await _change_status(ctx, principal, campaign_id, ("paused",), "running")
    # The runner continues the LangGraph thread from its last checkpoint.
    await launcher.start(campaign_id)
    view = await asyncio.to_thread(ctx.repository.get_campaign, campaign_id, principal.workspace_id)
    return CampaignOut.of(view)


@router.post("/{campaign_id}/cancel", response_model=CampaignOut)
async def cancel(campaign_id: str, principal: Reviewer, ctx: Context) -> CampaignOut:
    allowed = (*PAUSABLE, "paused")
    return CampaignOut.of(await _change_status(ctx, principal, campaign_id, allowed, "cancelled"))


@router.get("/{campaign_id}/export")
async def export(
    campaign_id: str, principal: Caller, ctx: Context,
    format: Literal["csv", "jsonl"] = Query("jsonl"),
) -> Response:
    leads = await asyncio.to_thread(ctx.repository.campaign_leads, campaign_id, principal.workspace_id)
    filename = f"campaign-{campaign_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "csv":
        return Response(to_csv(leads), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_jsonl(leads), media_type="application/x-ndjson", headers=headers)
