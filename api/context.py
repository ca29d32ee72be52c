"""What every request can reach (settings, repository, launcher, limiter) and the auth dependencies."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Principal, resolve_principal
from api.launcher import CampaignLauncher
from api.rate_limits import RateLimiter, enforce
from core.db.repository import Repository
from core.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    sessions: sessionmaker[Session]
    repository: Repository
    launcher: CampaignLauncher
    limiter: RateLimiter


def get_context(request: Request) -> AppContext:
    return request.app.state.context


def get_launcher(request: Request) -> CampaignLauncher:
    """The launcher; tests replace it through ``app.dependency_overrides``."""
    return request.app.state.context.launcher


Context = Annotated[AppContext, Depends(get_context)]
Launcher = Annotated[CampaignLauncher, Depends(get_launcher)]


async def current_principal(request: Request, ctx: Context) -> Principal:
    principal = await asyncio.to_thread(resolve_principal, request, ctx.settings, ctx.repository)
    await enforce(ctx.limiter, principal.limit_key)
    return principal


Caller = Annotated[Principal, Depends(current_principal)]


async def reviewer(principal: Caller) -> Principal:
    principal.require("reviewer")
    return principal


async def admin(principal: Caller) -> Principal:
    principal.require("admin")
    return principal


Reviewer = Annotated[Principal, Depends(reviewer)]
Admin = Annotated[Principal, Depends(admin)]
