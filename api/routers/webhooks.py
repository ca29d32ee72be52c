"""Provider webhooks: SendGrid's Event Webhook (signed event batches) and Inbound Parse (replies).
Both are global: the workspace comes from the message each event or reply concerns."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

from agents.outcomes import close_memory
from agents.responses import ingest_events, read_and_apply_reply
from agents.send_policy import SendPolicy
from api.context import Context
from core.errors import InvalidInput, NotFound, Unauthorized
from core.settings import Settings
from tools.tracking.sendgrid_events import verify_request


class OutcomeMemoryHolder:
    """The app's one ``OutcomeMemory``: built on first use (opening Chroma is not free and most
    requests never need it), closed when the app shuts down."""

    def __init__(self) -> None:
        self._memory: Any | None = None
        self._lock = threading.Lock()

    def get(self, settings: Settings) -> Any:
        with self._lock:
            if self._memory is None:
                from memory.store import OutcomeMemory

                self._memory = OutcomeMemory.from_settings(settings)
            return self._memory

    def close(self) -> None:
        with self._lock:
            memory, self._memory = self._memory, None
        if memory is not None:
            close_memory(memory)


def _holder(app: FastAPI) -> OutcomeMemoryHolder:
    holder = getattr(app.state, "outcome_memory", None)
    if holder is None:
        holder = app.state.outcome_memory = OutcomeMemoryHolder()
    return holder


@asynccontextmanager
async def _memory_lifespan(app: FastAPI) -> AsyncIterator[None]:
    holder = _holder(app)
    try:
        yield
    finally:
        await asyncio.to_thread(holder.close)


def get_outcome_memory(request: Request, ctx: Context) -> Callable[[], Any]:
    """How to reach the learning-loop memory (built on first call, after the request is
    authenticated); tests replace it through ``app.dependency_overrides``."""
    holder, settings = _holder(request.app), ctx.settings
    return lambda: holder.get(settings)


Memory = Annotated[Callable[[], Any], Depends(get_outcome_memory)]
router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], lifespan=_memory_lifespan)


class EventBatchOut(BaseModel):
    received: int
    recorded: int
    duplicates: int
    unmatched: int
    suppressed: list[str]
    stopped: int
    blocked: list[str]
    paused_campaigns: list[str]
    paused_mailboxes: list[str]
    outcomes: int


class InboundOut(BaseModel):
    kind: str
    matched: bool
    recorded: bool
    campaign_id: str | None = None
    cancelled: int = 0
    postponed: int = 0
    suppressed: bool = False
    outcome: str | None = None


@router.post("/sendgrid/events", response_model=EventBatchOut)
async def sendgrid_events(request: Request, ctx: Context, memory: Memory) -> EventBatchOut:
    """SendGrid Event Webhook: the raw body is verified against the configured ECDSA key (401 on
    a bad or missing signature or a stale timestamp); a retried batch changes nothing twice."""
    key = ctx.settings.sendgrid_webhook_public_key
    if not key:
        raise NotFound("the SendGrid Event Webhook is off: set LEADGEN_SENDGRID_WEBHOOK_PUBLIC_KEY")
    body = await request.body()
    try:
        events = verify_request(key, request.headers, body)
    except ValueError as exc:  # signed, but not JSON
        raise InvalidInput("the event batch is not valid JSON") from exc
    summary = await ingest_events(ctx.repository, events, memory=await asyncio.to_thread(memory),
                                  policy=SendPolicy.from_settings(ctx.settings), now=datetime.now(UTC))
    return EventBatchOut(**asdict(summary))


def _authorize_inbound(settings: Settings, path_token: str | None, authorization: str | None) -> None:
    secret = settings.inbound_webhook_token
    if not secret:
        raise NotFound("the Inbound Parse webhook is off: set LEADGEN_INBOUND_WEBHOOK_TOKEN")
    given = path_token if path_token is not None else _basic_password(authorization)
    if given is None or not hmac.compare_digest(given.encode(), secret.encode()):
        raise Unauthorized("inbound webhook token missing or wrong")


def _basic_password(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, binascii.Error):
        return None
    return decoded.partition(":")[2]


async def _inbound(request: Request, ctx: Context, memory: Callable[[], Any],
                   token: str | None) -> InboundOut:
    _authorize_inbound(ctx.settings, token, request.headers.get("authorization"))
    async with request.form() as form:
        # Attachments are not needed to classify a reply; only the text fields are read.
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    now = datetime.now(UTC)
    result = await asyncio.to_thread(
        lambda: read_and_apply_reply(ctx.repository, fields, memory=memory(), now=now))
    return InboundOut(**{k: v for k, v in asdict(result).items() if k != "workspace_id"})


@router.post("/sendgrid/inbound", response_model=InboundOut)
async def sendgrid_inbound(request: Request, ctx: Context, memory: Memory) -> InboundOut:
    """SendGrid Inbound Parse (multipart form), authenticated by HTTP basic auth whose password is
    the inbound webhook token; the reply is threaded, applied once and becomes an outcome."""
    return await _inbound(request, ctx, memory, None)


@router.post("/sendgrid/inbound/{token}", response_model=InboundOut)
async def sendgrid_inbound_token(token: str, request: Request, ctx: Context, memory: Memory) -> InboundOut:
    """The same, authenticated by the secret token in the path (for Parse settings without auth)."""
    return await _inbound(request, ctx, memory, token)
