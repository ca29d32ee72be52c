"""Briefings: the chat conversations that fill a campaign brief, scoped by workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.db.store import Store, owned
from core.db.tables import BRIEFING_STATUSES, Briefing, Workspace, utcnow
from core.errors import InvalidInput, NotFound


class BriefingView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    user_id: str | None
    messages: list[dict[str, Any]] = Field(default_factory=list)
    brief: dict[str, Any] = Field(default_factory=dict)
    status: str  # open | complete | cancelled
    campaign_id: str | None = None
    created_at: datetime
    updated_at: datetime


class BriefingStore(Store):
    """Create, read and update briefing conversations."""

    def create_briefing(self, workspace_id: str, user_id: str | None, brief: dict[str, Any]) -> BriefingView:
        with self._tx() as s:
            if s.get(Workspace, workspace_id) is None:
                raise NotFound(f"workspace {workspace_id} not found")
            row = Briefing(workspace_id=workspace_id, user_id=user_id, messages=[], brief=brief,
                           status="open")
            s.add(row)
            s.flush()
            return _view(row)

    def get_briefing(self, briefing_id: str, workspace_id: str | None = None) -> BriefingView:
        with self._tx() as s:
            return _view(owned(s, Briefing, briefing_id, workspace_id))

    def save_briefing(
        self,
        briefing_id: str,
        workspace_id: str,
        *,
        messages: list[dict[str, Any]],
        brief: dict[str, Any],
        status: str,
        campaign_id: str | None = None,
    ) -> BriefingView:
        if status not in BRIEFING_STATUSES:
            raise InvalidInput(f"briefing status must be one of {', '.join(BRIEFING_STATUSES)}")
        with self._tx() as s:
            row = owned(s, Briefing, briefing_id, workspace_id)
            row.messages, row.brief, row.status, row.updated_at = list(messages), dict(brief), status, utcnow()
            if campaign_id is not None:
                row.campaign_id = campaign_id
            s.flush()
            return _view(row)


def _view(row: Briefing) -> BriefingView:
    return BriefingView(
        id=row.id, workspace_id=row.workspace_id, user_id=row.user_id, messages=list(row.messages),
        brief=dict(row.brief), status=row.status, campaign_id=row.campaign_id,
        created_at=row.created_at, updated_at=row.updated_at,
    )
