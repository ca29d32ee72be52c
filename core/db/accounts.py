"""Workspaces, users and API keys: who may act, and in which workspace."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.digests import normalize_email
from core.db.store import Store, owned
from core.db.tables import ROLES, ApiKey, User, Workspace, utcnow
from core.db.views import ApiKeyView, UserView
from core.errors import Conflict, InvalidInput


class AccountStore(Store):
    """Workspaces, users, API keys."""

    def ensure_workspace(self, name: str = "default") -> str:
        with self._tx() as s:
            found = s.scalar(select(Workspace.id).where(Workspace.name == name))
            if found:
                return found
            try:
                with s.begin_nested():
                    row = Workspace(name=name)
                    s.add(row)
                return row.id
            except IntegrityError:
                return s.scalars(select(Workspace.id).where(Workspace.name == name)).one()

    def create_user(
        self, workspace_id: str, email: str, password_hash: str | None, role: str = "viewer"
    ) -> UserView:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        with self._tx() as s:
            row = User(workspace_id=workspace_id, email=normalize_email(email),
                       password_hash=password_hash, role=role, is_active=True)
            try:
                with s.begin_nested():
                    s.add(row)
            except IntegrityError as exc:
                raise Conflict(f"a user with e-mail {email} exists") from exc
            return UserView.model_validate(row)

    def user_by_email(self, email: str) -> UserView | None:
        with self._tx() as s:
            row = s.scalars(select(User).where(User.email == normalize_email(email))).first()
            return UserView.model_validate(row) if row else None

    def get_user(self, user_id: str, workspace_id: str | None = None) -> UserView:
        with self._tx() as s:
            return UserView.model_validate(owned(s, User, user_id, workspace_id))

    def create_api_key(
        self, workspace_id: str, name: str, key_hash: str, prefix: str, user_id: str | None = None
    ) -> ApiKeyView:
        with self._tx() as s:
            row = ApiKey(workspace_id=workspace_id, user_id=user_id, name=name,
                         key_hash=key_hash, prefix=prefix)
            s.add(row)
            s.flush()
            return ApiKeyView.model_validate(row)

    def api_key_by_hash(self, key_hash: str) -> ApiKeyView | None:
        """The active key with this hash (its ``last_used_at`` is updated), or None."""
        with self._tx() as s:
            row = s.scalars(
                select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
            ).first()
            if row is None:
                return None
            row.last_used_at = utcnow()
            s.flush()
            return ApiKeyView.model_validate(row)

    def revoke_api_key(self, key_id: str, workspace_id: str | None = None) -> ApiKeyView:
        with self._tx() as s:
            row = owned(s, ApiKey, key_id, workspace_id)
            row.revoked_at = row.revoked_at or utcnow()
            s.flush()
            return ApiKeyView.model_validate(row)
