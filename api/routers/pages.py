"""The reviewer web page: login, campaign list, and the approval queue with each draft's evidence."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import review
from api.accounts import authenticate
from api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Principal,
    check_csrf,
    issue_token,
    new_csrf_token,
    principal_from_token,
)
from api.context import AppContext, Context, Launcher
from api.rate_limits import enforce
from api.schemas import MAX_OFFSET
from core.db.approval_store import QueueCursor
from core.db.views import ApprovalView
from core.errors import InvalidInput, LeadgenError, Unauthorized
from core.models import Lead

router = APIRouter(include_in_schema=False)
QUEUE_PAGE = 50


class LoginRequired(Exception):
    """Raised by page dependencies; the app answers with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def login_redirect(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    response = RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def page_principal(request: Request, ctx: Context) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(request.url.path)
    try:
        principal = await asyncio.to_thread(
            principal_from_token, ctx.settings, ctx.repository, token, "cookie"
        )
    except Unauthorized as exc:
        raise LoginRequired(request.url.path) from exc
    await enforce(ctx.limiter, principal.limit_key)
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def csrf_token(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or new_csrf_token()


def render(request: Request, ctx: AppContext, template: str, context: dict,
           status_code: int = 200) -> Response:
    token = csrf_token(request)
    response = request.app.state.templates.TemplateResponse(
        request, template, {"csrf_token": token, **context}, status_code=status_code
    )
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="strict",
                            secure=_secure(ctx), path="/")
    return response


def _secure(ctx: AppContext) -> bool:
    return ctx.settings.public_base_url.startswith("https://")


def _safe_next(path: str | None) -> str:
    # Only local paths: an open redirect after login would be a phishing aid.
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, ctx: Context, next: str | None = None) -> Response:
    return render(request, ctx, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, ctx: Context,
    email: Annotated[str, Form(max_length=320)], password: Annotated[str, Form(max_length=1024)],
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token_field)
    await enforce(ctx.limiter, f"login:{email.strip().lower()}")
    user = await asyncio.to_thread(authenticate, ctx.repository, email, password)
    if user is None:
        return render(request, ctx, "login.html",
                      {"next": _safe_next(next), "error": "Wrong e-mail or password.", "email": email},
                      status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, issue_token(ctx.settings, user), httponly=True, samesite="lax",
        secure=_secure(ctx), path="/", max_age=ctx.settings.jwt_expiry_minutes * 60,
    )
    # A fresh CSRF token per session.
    response.set_cookie(CSRF_COOKIE, new_csrf_token(), httponly=False, samesite="strict",
                        secure=_secure(ctx), path="/")
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "") -> Response:
    check_csrf(request, csrf_token_field)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
async def campaigns_page(request: Request, principal: PagePrincipal, ctx: Context) -> Response:
    campaigns = await asyncio.to_thread(ctx.repository.list_campaigns, principal.workspace_id)
    return render(request, ctx, "campaigns.html", {"principal": principal, "campaigns": campaigns})


def _queue_entries(ctx: AppContext, items: list[ApprovalView]) -> list[dict]:
    # Only the leads of this page's items: a campaign can hold thousands of leads.
    urls: dict[tuple[str, str], set[str]] = {}
    for item in items:
        urls.setdefault((item.campaign_id, item.workspace_id), set()).add(item.lead_url)
    leads: dict[str, dict[str, Lead]] = {}
    for (campaign_id, workspace_id), wanted in urls.items():
        found = ctx.repository.leads_by_urls(campaign_id, wanted, workspace_id=workspace_id)
        leads[campaign_id] = {lead.url: lead for lead in found}
    entries = []
    for item in items:
        lead = leads[item.campaign_id].get(item.lead_url)
        contact = None
        if lead and item.contact and item.contact.email:
            contact = next((c for c in lead.contacts if c.email and
                            c.email.lower() == item.contact.email.lower()), None)
        entries.append({"item": item, "lead": lead,
                        "qualification": lead.qualification if lead else None,
                        "contact_source": contact.source_url if contact else None})
    return entries


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(
    request: Request, principal: PagePrincipal, ctx: Context,
    campaign_id: str | None = None, offset: int = 0, after: str | None = None,
) -> Response:
    """The pending queue, a page at a time; "Next page" links carry the keyset cursor (``after``)."""
    offset = min(max(offset, 0), MAX_OFFSET)
    try:
        cursor = QueueCursor.decode(after) if after else None
    except InvalidInput:
        cursor = None  # a stale or mangled link: show the queue from its start
    items = await asyncio.to_thread(
        ctx.repository.approval_items, campaign_id or None, workspace_id=principal.workspace_id,
        status="pending", limit=QUEUE_PAGE, offset=offset, after=cursor,
    )
    entries = await asyncio.to_thread(_queue_entries, ctx, items)
    return render(request, ctx, "queue.html", {
        "principal": principal, "entries": entries, "campaign_id": campaign_id or "",
        "offset": offset, "page_size": QUEUE_PAGE,
        "next_cursor": QueueCursor.of(items[-1]).encode() if len(items) == QUEUE_PAGE else None,
        "can_decide": principal.role in ("admin", "reviewer"),
        "notice": request.query_params.get("notice"),
    })


def _back_to_queue(campaign_id: str, notice: str, anchor: str = "") -> RedirectResponse:
    query = f"?notice={quote(notice)}"
    if campaign_id:
        query += f"&campaign_id={quote(campaign_id)}"
    return RedirectResponse(f"/queue{query}{anchor}", status_code=303)


async def _form_reviewer(request: Request, principal: Principal, csrf: str) -> None:
    check_csrf(request, csrf)
    principal.require("reviewer")


@router.post("/queue/{approval_id}/{action}")
async def decide_from_page(
    approval_id: str, action: Literal["approve", "reject", "edit"], request: Request, principal: PagePrincipal, ctx: Context,
    launcher: Launcher,
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    subject: Annotated[str | None, Form(max_length=300)] = None,
    body: Annotated[str | None, Form(max_length=20_000)] = None,
    campaign_id: Annotated[str, Form()] = "",
) -> Response:
    await _form_reviewer(request, principal, csrf_token_field)
    try:
        if action == "edit":
            view = await asyncio.to_thread(
                review.edit, ctx.repository, ctx.sessions, principal, approval_id,
                subject.strip() if subject else None, body.replace("\r\n", "\n") if body else None,
            )
            flags = ", ".join(view.flags) or "no flags"
            return _back_to_queue(campaign_id, f"Saved. Guard check: {flags}.", f"#item-{approval_id}")
        await review.decide(ctx.repository, launcher, principal, approval_id, action,
                            sessions=ctx.sessions)
        return _back_to_queue(campaign_id, f"{action.capitalize()}d.")
    except LeadgenError as exc:
        return _back_to_queue(campaign_id, f"Could not {action}: {exc.detail}")


@router.post("/queue/bulk")
async def bulk_from_page(
    request: Request, principal: PagePrincipal, ctx: Context, launcher: Launcher,
    action: Annotated[Literal["approve", "reject"], Form()],
    ids: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI reads the default, never mutates it)
    csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "",
    campaign_id: Annotated[str, Form()] = "",
) -> Response:
    await _form_reviewer(request, principal, csrf_token_field)
    if not ids:
        return _back_to_queue(campaign_id, "Select drafts and an action first.")
    result = await review.decide_many(ctx.repository, launcher, principal, ids, action,
                                      sessions=ctx.sessions)
    notice = f"{action.capitalize()}d {len(result.decided)}."
    if result.failed:
        notice += f" {len(result.failed)} failed: {result.failed[0].detail}"
    return _back_to_queue(campaign_id, notice)
