"""Access tokens (OAuth2 password flow) and the workspace's API keys (admin only)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from api.accounts import authenticate, list_api_keys, new_api_key
from api.auth import issue_token
from api.context import Admin, Context
from api.rate_limits import enforce
from api.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, TokenOut
from core.errors import Unauthorized

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenOut)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], ctx: Context
) -> TokenOut:
    await enforce(ctx.limiter, f"login:{form.username.strip().lower()}")
    user = await asyncio.to_thread(authenticate, ctx.repository, form.username, form.password)
    if user is None:
        raise Unauthorized("wrong e-mail or password")
    return TokenOut(access_token=issue_token(ctx.settings, user),
                    expires_in=ctx.settings.jwt_expiry_minutes * 60)


@router.get("/api-keys", response_model=list[ApiKeyOut])
async def api_keys(principal: Admin, ctx: Context) -> list[ApiKeyOut]:
    keys = await asyncio.to_thread(list_api_keys, ctx.sessions, principal.workspace_id)
    return [ApiKeyOut.model_validate(k, from_attributes=True) for k in keys]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
async def create_api_key(body: ApiKeyIn, principal: Admin, ctx: Context) -> ApiKeyCreated:
    view, raw = await asyncio.to_thread(
        new_api_key, ctx.repository, principal.workspace_id, body.name, principal.user_id
    )
    await asyncio.to_thread(ctx.repository.audit, principal.workspace_id, principal.actor,
                            "api_key.create", "api_key", view.id, None, {"prefix": view.prefix})
    return ApiKeyCreated(**ApiKeyOut.model_validate(view, from_attributes=True).model_dump(), key=raw)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
async def revoke_api_key(key_id: str, principal: Admin, ctx: Context) -> ApiKeyOut:
    view = await asyncio.to_thread(ctx.repository.revoke_api_key, key_id, principal.workspace_id)
    await asyncio.to_thread(ctx.repository.audit, principal.workspace_id, principal.actor,
                            "api_key.revoke", "api_key", view.id, None, {"prefix": view.prefix})
    return ApiKeyOut.model_validate(view, from_attributes=True)
