"""Users, passwords (argon2) and API keys (sha256 at rest, shown once) of a workspace."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db.repository import Repository
from core.db.tables import ApiKey
from core.db.views import ApiKeyView, UserView

KEY_PREFIX = "lg_"
_hasher = PasswordHasher()
# Verifying against a real hash when the user does not exist keeps the response time of an
# unknown e-mail and a wrong password alike.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    sessions: sessionmaker[Session], email: str, password: str, role: str, workspace: str
) -> str:
    """Create a user in ``workspace`` (created when new). Raises Conflict if the e-mail exists."""
    repo = Repository(sessions)
    workspace_id = repo.ensure_workspace(workspace)
    return repo.create_user(workspace_id, email, hash_password(password), role).id


def authenticate(repo: Repository, email: str, password: str) -> UserView | None:
    user = repo.user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    return user


def key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_api_key(
    repo: Repository, workspace_id: str, name: str, user_id: str | None
) -> tuple[ApiKeyView, str]:
    """Create a key; returns its view and the raw key, which is never stored or shown again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    view = repo.create_api_key(workspace_id, name, key_hash(raw), raw[:10], user_id=user_id)
    return view, raw


def list_api_keys(sessions: sessionmaker[Session], workspace_id: str) -> list[ApiKeyView]:
    with sessions() as s:
        rows = s.scalars(
            select(ApiKey).where(ApiKey.workspace_id == workspace_id)
            .order_by(ApiKey.created_at, ApiKey.id)
        )
        return [ApiKeyView.model_validate(row) for row in rows]
