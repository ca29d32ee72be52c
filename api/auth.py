"""Who is calling: JWT access tokens (HS256, audience pinned), API keys and the session cookie."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Request

from api.accounts import key_hash
from core.db.repository import Repository
from core.db.views import UserView
from core.errors import Forbidden, NotFound, Unauthorized
from core.settings import Settings

ALGORITHM = "HS256"
AUDIENCE = "leadgen-api"
SESSION_COOKIE = "leadgen_session"
CSRF_COOKIE = "leadgen_csrf"
CSRF_HEADER = "X-CSRF-Token"
API_KEY_HEADER = "X-API-Key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLE_RANK = {"viewer": 0, "reviewer": 1, "admin": 2}


@dataclass(frozen=True)
class Principal:
    """The caller of one request, always bound to one workspace."""

    user_id: str | None
    workspace_id: str
    role: str
    actor: str  # what the audit log records: the user's e-mail or ``api-key:<prefix>``
    via: str  # bearer | api_key | cookie

    @property
    def limit_key(self) -> str:
        return self.actor

    def require(self, role: str) -> None:
        if ROLE_RANK.get(self.role, -1) < ROLE_RANK[role]:
            raise Forbidden(f"this action needs the {role} role")


def issue_token(settings: Settings, user: UserView, *, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    claims = {
        "sub": user.id,
        "ws": user.workspace_id,
        "role": user.role,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=settings.jwt_expiry_minutes),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> dict:
    try:
        return jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "aud", "ws"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("the token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("the token is not valid") from exc


def principal_from_token(settings: Settings, repo: Repository, token: str, via: str) -> Principal:
    claims = decode_token(settings, token)
    try:
        user = repo.get_user(str(claims["sub"]), workspace_id=str(claims["ws"]))
    except NotFound as exc:
        raise Unauthorized("the token's user no longer exists") from exc
    if not user.is_active:
        raise Unauthorized("the user is deactivated")
    # The role is read from the database, not the token: a demotion applies at once.
    return Principal(user.id, user.workspace_id, user.role, user.email, via)


def principal_from_api_key(repo: Repository, raw_key: str) -> Principal:
    key = repo.api_key_by_hash(key_hash(raw_key))
    if key is None:
        raise Unauthorized("the API key is not valid")
    role = "viewer"
    if key.user_id is not None:
        try:
            user = repo.get_user(key.user_id, workspace_id=key.workspace_id)
        except NotFound as exc:
            raise Unauthorized("the API key's user no longer exists") from exc
        if not user.is_active:
            raise Unauthorized("the API key's user is deactivated")
        role = user.role
    return Principal(key.user_id, key.workspace_id, role, f"api-key:{key.prefix}", "api_key")


def resolve_principal(request: Request, settings: Settings, repo: Repository) -> Principal:
    """Bearer token, then X-API-Key, then the session cookie (with CSRF on unsafe methods)."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if header:
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        return principal_from_token(settings, repo, credentials.strip(), "bearer")
    raw_key = request.headers.get(API_KEY_HEADER)
    if raw_key:
        return principal_from_api_key(repo, raw_key)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        if request.method not in SAFE_METHODS:
            check_csrf(request, request.headers.get(CSRF_HEADER))
        return principal_from_token(settings, repo, cookie, "cookie")
    raise Unauthorized("no credentials: send a bearer token or an X-API-Key header")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Double-submit check: the value sent with the request must equal the CSRF cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("missing or wrong CSRF token; reload the page")
