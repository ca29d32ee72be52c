"""Events (provider webhooks, replies) and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.store import Store
from core.db.tables import AuditEntry, Event, utcnow
from core.db.views import AuditView, EventView


class EventStore(Store):
    """Events deduplicated by provider id; audit entries."""

    def add_event(
        self,
        workspace_id: str,
        kind: str,
        *,
        campaign_id: str | None = None,
        lead_id: str | None = None,
        outbox_message_id: str | None = None,
        provider_event_id: str | None = None,
        payload: dict[str, Any] | None = None,
        occurred_at: datetime | None = None,
    ) -> tuple[EventView, bool]:
        """Record an event; a provider event id seen before returns the stored event and False."""
        with self._tx() as s:
            if provider_event_id is not None:
                seen = s.scalars(select(Event).where(Event.provider_event_id == provider_event_id)).first()
                if seen is not None:
                    return EventView.model_validate(seen), False
            row = Event(
                workspace_id=workspace_id, campaign_id=campaign_id, lead_id=lead_id,
                outbox_message_id=outbox_message_id, kind=kind, provider_event_id=provider_event_id,
                payload=payload, occurred_at=occurred_at or utcnow(),
            )
            try:
                with s.begin_nested():
                    s.add(row)
            except IntegrityError:
                seen = s.scalars(select(Event).where(Event.provider_event_id == provider_event_id)).one()
                return EventView.model_validate(seen), False
            return EventView.model_validate(row), True

    def events(
        self, workspace_id: str, *, campaign_id: str | None = None, kind: str | None = None,
        limit: int = 200,
    ) -> list[EventView]:
        query = select(Event).where(Event.workspace_id == workspace_id)
        if campaign_id is not None:
            query = query.where(Event.campaign_id == campaign_id)
        if kind is not None:
            query = query.where(Event.kind == kind)
        with self._tx() as s:
            rows = s.scalars(query.order_by(Event.occurred_at, Event.id).limit(limit))
            return [EventView.model_validate(row) for row in rows]

    # --- suppression ---------------------------------------------------------------------

    def audit(
        self,
        workspace_id: str | None,
        actor: str,
        action: str,
        object_type: str,
        object_id: str | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> str:
        with self._tx() as s:
            row = AuditEntry(workspace_id=workspace_id, actor=actor, action=action,
                             object_type=object_type, object_id=object_id, before=before, after=after)
            s.add(row)
            s.flush()
            return row.id

    def audit_log(
        self, workspace_id: str | None = None, *, object_id: str | None = None, limit: int = 200
    ) -> list[AuditView]:
        query = select(AuditEntry)
        if workspace_id is not None:
            query = query.where(AuditEntry.workspace_id == workspace_id)
        if object_id is not None:
            query = query.where(AuditEntry.object_id == object_id)
        with self._tx() as s:
            rows = s.scalars(query.order_by(AuditEntry.at, AuditEntry.id).limit(limit))
            return [AuditView.model_validate(row) for row in rows]
