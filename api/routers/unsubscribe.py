"""The unsubscribe landing page every e-mail links to, with RFC 8058 one-click POST."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.context import Context
from api.routers.webhooks import Memory
from core import metrics, tokens
from core.db.views import OutboxView

router = APIRouter(tags=["unsubscribe"], include_in_schema=False)


def _message(ctx, token: str) -> OutboxView | None:
    message_id = tokens.verify(token, ctx.settings.secret_key)
    if message_id is None:
        return None
    return ctx.repository.find_outbox(message_id=message_id)


def _not_found(request: Request) -> HTMLResponse:
    # The same page for a forged token and for a message that no longer exists: no info leak.
    return request.app.state.templates.TemplateResponse(
        request, "unsubscribe_invalid.html", {}, status_code=404
    )


@router.get("/u/{token}", response_class=HTMLResponse)
async def confirm_page(token: str, request: Request, ctx: Context) -> HTMLResponse:
    message = await asyncio.to_thread(_message, ctx, token)
    if message is None:
        return _not_found(request)
    return request.app.state.templates.TemplateResponse(
        request, "unsubscribe.html", {"token": token}
    )


def _unsubscribe(ctx, message: OutboxView, memory) -> bool:
    """Suppress the address, stop the contact's sequence, record the event and the outcome;
    True the first time for this message."""
    from agents.outcomes import record_outcome

    repo = ctx.repository
    if not message.to_email:  # personal data already erased: nothing left to suppress
        return False
    repo.suppress(message.workspace_id, message.to_email, "unsubscribe")
    _, created = repo.add_event(
        message.workspace_id, "unsubscribed", campaign_id=message.campaign_id,
        outbox_message_id=message.id, provider_event_id=f"unsubscribe:{message.id}",
        payload={"source": "list-unsubscribe"},
    )
    if created:
        record_outcome(repo, memory(), kind="unsubscribed", outbox_message=message)
    return created


async def _source(request: Request) -> str:
    """RFC 8058 one-click: a mail client POSTs only ``List-Unsubscribe=One-Click``; the confirm
    page's form also sends ``via=page`` (someone followed the link)."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    return "link" if form.get("via") == ["page"] else "one_click"


@router.post("/u/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, request: Request, ctx: Context, memory: Memory) -> HTMLResponse:
    """One-click (mail clients POST ``List-Unsubscribe=One-Click``) or the confirm page's button:
    both unsubscribe at once. The signed token is the only credential."""
    message = await asyncio.to_thread(_message, ctx, token)
    if message is None:
        return _not_found(request)
    source = await _source(request)
    if await asyncio.to_thread(_unsubscribe, ctx, message, memory):
        metrics.record_unsubscribe(source)
        from agents.sequencer import stop_sequence

        # Suppression already blocks every send; cancelling the queued steps keeps the outbox honest.
        await stop_sequence(ctx.repository, None, message.to_email, "unsubscribed", workspace_id=message.workspace_id)
    return request.app.state.templates.TemplateResponse(request, "unsubscribed.html", {})
