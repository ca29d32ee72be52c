"""The approval queue: list pending drafts, approve, reject, edit (guard re-check) and bulk decisions."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Query

from api import review
from api.context import Caller, Context, Launcher, Reviewer
from api.schemas import MAX_OFFSET, ApprovalOut, ApprovalPage, BulkIn, BulkOut, EditIn
from core.db.approval_store import QueueCursor
from core.errors import InvalidInput

router = APIRouter(prefix="/api/v1/approvals", tags=["approvals"])


@router.get("", response_model=ApprovalPage)
async def list_approvals(
    principal: Caller, ctx: Context,
    status: Literal["pending", "approved", "rejected", "all"] = Query("pending"),
    campaign_id: str | None = Query(None),
    sort: Literal["score", "confidence"] = Query("score"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip; prefer `cursor` beyond the first pages."),
    cursor: str | None = Query(
        None, description="`next_cursor` of the previous page: the page after it (keyset pagination)."
    ),
) -> ApprovalPage:
    """One page of approval items: highest score first (unscored last), then oldest first.

    Paginate with `cursor`: each page returns `next_cursor` (null on the last page); pass it
    back as `cursor` with the same filters to get the next page. Cursor pages stay fast deep in
    the queue and neither skip nor repeat items when others are decided meanwhile. `offset`
    still works (it counts from the cursor when both are given) but costs more the deeper it goes.
    """
    after = QueueCursor.decode(cursor) if cursor else None
    views = await asyncio.to_thread(
        ctx.repository.approval_items, campaign_id or None, workspace_id=principal.workspace_id,
        status=None if status == "all" else status, order_by="score", limit=limit, offset=offset,
        after=after,
    )
    next_cursor = QueueCursor.of(views[-1]).encode() if len(views) == limit else None
    items = [ApprovalOut.of(v) for v in views]
    if sort == "confidence":
        # Most trustworthy first: fewest guard flags, then highest score (stable within a page).
        items.sort(key=lambda i: (len(i.flags), -(i.score or 0)))
    return ApprovalPage(items=items, limit=limit, offset=offset, next_cursor=next_cursor)


@router.get("/{approval_id}", response_model=ApprovalOut)
async def get_approval(approval_id: str, principal: Caller, ctx: Context) -> ApprovalOut:
    view = await asyncio.to_thread(ctx.repository.get_approval, approval_id, principal.workspace_id)
    return ApprovalOut.of(view)


@router.post("/{approval_id}/approve", response_model=ApprovalOut)
async def approve(
    approval_id: str, principal: Reviewer, ctx: Context, launcher: Launcher
) -> ApprovalOut:
    return ApprovalOut.of(await review.decide(ctx.repository, launcher, principal, approval_id,
                                              "approve", sessions=ctx.sessions))


@router.post("/{approval_id}/reject", response_model=ApprovalOut)
async def reject(
    approval_id: str, principal: Reviewer, ctx: Context, launcher: Launcher
) -> ApprovalOut:
    return ApprovalOut.of(await review.decide(ctx.repository, launcher, principal, approval_id,
                                              "reject", sessions=ctx.sessions))


@router.post("/{approval_id}/edit", response_model=ApprovalOut)
async def edit(approval_id: str, body: EditIn, principal: Reviewer, ctx: Context) -> ApprovalOut:
    if body.subject is None and body.body is None:
        raise InvalidInput("give a subject, a body or both")
    view = await asyncio.to_thread(
        review.edit, ctx.repository, ctx.sessions, principal, approval_id, body.subject, body.body
    )
    return ApprovalOut.of(view)


@router.post("/bulk", response_model=BulkOut)
async def bulk(body: BulkIn, principal: Reviewer, ctx: Context, launcher: Launcher) -> BulkOut:
    ids = body.ids
    if ids is None:
        assert body.filter is not None
        ids = await asyncio.to_thread(
            review.select_pending, ctx.repository, principal.workspace_id, body.filter
        )
    result = await review.decide_many(ctx.repository, launcher, principal, ids, body.action,
                                      sessions=ctx.sessions)
    return BulkOut(action=body.action, decided=result.decided, failed=result.failed)
