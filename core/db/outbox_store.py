"""The outbox: approved messages queued once each, claimed and marked by the sender."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from core.db.digests import content_hash, email_domain
from core.db.sending_store import SendingStore
from core.db.store import owned
from core.db.tables import (
    OUTBOX_STATUSES,
    ApprovalItem,
    Campaign,
    Contact,
    DraftRow,
    OutboxMessage,
    utcnow,
)
from core.db.views import OutboxView
from core.errors import Conflict, InvalidInput, NotFound

# Which states an outbox message may move to a new status from. "sending" is a claim: only
# one worker gets it, a second claim raises Conflict.
_OUTBOX_FROM: dict[str, tuple[str, ...]] = {
    "sending": ("queued", "failed"),
    "sent": ("sending", "queued", "unconfirmed"),
    "failed": ("sending", "queued", "unconfirmed"),
    "queued": ("sending", "failed", "unconfirmed"),
    "cancelled": ("queued", "failed", "unconfirmed"),
    "unconfirmed": ("sending",),
}


class OutboxStore(SendingStore):
    """Queueing approved messages and tracking their delivery state."""

    def enqueue_outbox(
        self,
        approval_id: str,
        *,
        due_at: datetime | None = None,
        explain: dict[str, Any] | None = None,
        sender_domain: str | None = None,
    ) -> tuple[OutboxView, bool]:
        """Queue the approved message once. Returns (message, created); a second call for the
        same campaign, contact and step returns the existing row and False."""
        with self._tx() as s:
            item = s.get(ApprovalItem, approval_id)
            if item is None:
                raise NotFound(f"approval item {approval_id} not found")
            if item.status != "approved" or item.approved_subject is None:
                raise Conflict(f"approval item {approval_id} is {item.status}, not approved")
            draft = s.get_one(DraftRow, item.draft_id)
            contact = s.get(Contact, draft.contact_id) if draft.contact_id else None
            if contact is None or not contact.email:
                raise Conflict(f"approval item {approval_id} has no recipient e-mail")
            key = f"{item.campaign_id}:{contact.id}:{draft.step}"
            existing = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()
            if existing is not None:
                return OutboxView.model_validate(existing), False
            if sender_domain is None:
                campaign = s.get_one(Campaign, item.campaign_id)
                sender_domain = email_domain(campaign.brief.get("sender", {}).get("email", ""))
            row = OutboxMessage(
                workspace_id=item.workspace_id, campaign_id=item.campaign_id,
                approval_item_id=item.id, contact_id=contact.id, to_email=contact.email,
                step=draft.step, idempotency_key=key,
                message_id=f"<{uuid.uuid4().hex}@{sender_domain or 'leadgen.local'}>",
                subject=item.approved_subject, body=item.approved_body or "",
                content_hash=item.approved_hash or content_hash(item.approved_subject, item.approved_body or ""),
                status="queued", due_at=due_at, attempts=0, explain=explain,
            )
            try:
                with s.begin_nested():
                    s.add(row)
            except IntegrityError:
                existing = s.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()
                return OutboxView.model_validate(existing), False
            return OutboxView.model_validate(row), True

    def mark_outbox(
        self,
        outbox_id: str,
        status: str,
        provider: str | None = None,
        provider_message_id: str | None = None,
        error: str | None = None,
        *,
        due_at: datetime | None = None,
    ) -> OutboxView:
        """Move a message to ``status``. Marking "sending" is an exclusive claim (Conflict when
        another worker holds it); repeating "sent"/"failed"/"cancelled" is a no-op."""
        if status not in OUTBOX_STATUSES:
            raise InvalidInput(f"outbox status must be one of {', '.join(OUTBOX_STATUSES)}")
        values: dict[str, Any] = {"status": status}
        if provider is not None:
            values["provider"] = provider
        if provider_message_id is not None:
            values["provider_message_id"] = provider_message_id
        if error is not None:
            values["last_error"] = error
        if due_at is not None:
            values["due_at"] = due_at
        if status == "sending":
            values["attempts"] = OutboxMessage.attempts + 1
        if status == "sent":
            values["sent_at"] = utcnow()
        with self._tx() as s:
            result = s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(_OUTBOX_FROM[status]))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            changed = cast(CursorResult, result).rowcount
            row = s.get(OutboxMessage, outbox_id, populate_existing=True)
            if row is None:
                raise NotFound(f"outbox message {outbox_id} not found")
            if not changed and (row.status != status or status == "sending"):
                raise Conflict(f"outbox message {outbox_id} is {row.status}, cannot become {status}")
            return OutboxView.model_validate(row)

    def get_outbox(self, outbox_id: str, workspace_id: str | None = None) -> OutboxView:
        with self._tx() as s:
            return OutboxView.model_validate(owned(s, OutboxMessage, outbox_id, workspace_id))

    def find_outbox(
        self, *, message_id: str | None = None, provider_message_id: str | None = None
    ) -> OutboxView | None:
        """The message a provider event or a reply refers to (by Message-ID or provider id)."""
        if message_id is None and provider_message_id is None:
            raise InvalidInput("give message_id or provider_message_id")
        query = select(OutboxMessage)
        if message_id is not None:
            query = query.where(OutboxMessage.message_id == message_id)
        if provider_message_id is not None:
            query = query.where(OutboxMessage.provider_message_id == provider_message_id)
        with self._tx() as s:
            row = s.scalars(query.limit(1)).first()
            return OutboxView.model_validate(row) if row else None

    def due_outbox(self, now: datetime, limit: int = 100) -> list[OutboxView]:
        with self._tx() as s:
            rows = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "queued")
                .where((OutboxMessage.due_at.is_(None)) | (OutboxMessage.due_at <= now))
                .order_by(OutboxMessage.due_at.asc().nulls_first(), OutboxMessage.created_at)
                .limit(limit)
            )
            return [OutboxView.model_validate(row) for row in rows]

    def outbox_for_campaign(
        self, campaign_id: str, workspace_id: str | None = None
    ) -> list[OutboxView]:
        with self._tx() as s:
            owned(s, Campaign, campaign_id, workspace_id)
            rows = s.scalars(
                select(OutboxMessage).where(OutboxMessage.campaign_id == campaign_id)
                .order_by(OutboxMessage.step, OutboxMessage.created_at, OutboxMessage.id)
            )
            return [OutboxView.model_validate(row) for row in rows]
