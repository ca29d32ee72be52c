"""What the sender needs beyond queueing: the send claim and dispatch marker (two-phase send),
daily counts for caps, mailbox warm-up/pause state, recovery of interrupted sends, guardrail rates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from core.db.digests import normalize_email
from core.db.store import Store
from core.db.tables import (
    ApprovalItem,
    Company,
    DraftRow,
    Event,
    LeadRow,
    Mailbox,
    OutboxMessage,
)
from core.db.views import MailboxView, OutboxView
from core.errors import Conflict, NotFound

# Statuses that count as "a send happened (or may have)" for caps and rates.
_SENT_LIKE = ("sent", "sending", "unconfirmed")


class SendingStore(Store):
    """Claims, dispatch markers, cap counts, mailbox state and delivery statistics."""

    def schedule_outbox(
        self, outbox_id: str, *, due_at: datetime, explain: dict[str, Any],
        mailbox: str | None = None, recipient_domain: str | None = None,
    ) -> OutboxView:
        """Set when a queued message is due and why (a deferral rewrites both)."""
        values: dict[str, Any] = {"due_at": due_at, "explain": explain}
        if mailbox is not None:
            values["mailbox"] = normalize_email(mailbox)
        if recipient_domain is not None:
            values["recipient_domain"] = recipient_domain
        with self._tx() as s:
            s.execute(update(OutboxMessage).where(OutboxMessage.id == outbox_id,
                                                  OutboxMessage.status == "queued")
                      .values(**values).execution_options(synchronize_session=False))
            row = s.get(OutboxMessage, outbox_id, populate_existing=True)
            if row is None:
                raise NotFound(f"outbox message {outbox_id} not found")
            return OutboxView.model_validate(row)

    def claim_outbox(self, outbox_id: str, at: datetime) -> OutboxView:
        """Phase 0: take the exclusive "sending" claim (Conflict when someone else has it)."""
        return self._move(outbox_id, ("queued",), status="sending", claimed_at=at,
                          dispatched_at=None, attempts=OutboxMessage.attempts + 1)

    def mark_dispatched(self, outbox_id: str, at: datetime) -> OutboxView:
        """Phase 1, committed right before the provider call: from now on the provider may have it."""
        return self._move(outbox_id, ("sending",), status="sending", dispatched_at=at)

    def finish_outbox(
        self, outbox_id: str, status: str, *, at: datetime, error: str | None = None,
        provider: str | None = None, provider_message_id: str | None = None,
        due_at: datetime | None = None, explain: dict[str, Any] | None = None,
        allowed_from: tuple[str, ...] = ("sending",),
    ) -> OutboxView:
        """Phase 2: the outcome of an attempt (sent, queued for a retry, failed, unconfirmed...)."""
        values: dict[str, Any] = {"status": status}
        if status == "sent":
            values["sent_at"] = at
        if status == "queued":
            values |= {"claimed_at": None, "dispatched_at": None}
        for name, value in (("last_error", error), ("provider", provider),
                            ("provider_message_id", provider_message_id), ("due_at", due_at),
                            ("explain", explain)):
            if value is not None:
                values[name] = value
        return self._move(outbox_id, allowed_from, **values)

    def _move(self, outbox_id: str, allowed_from: tuple[str, ...], **values: Any) -> OutboxView:
        with self._tx() as s:
            result = s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(allowed_from))
                .values(**values).execution_options(synchronize_session=False)
            )
            row = s.get(OutboxMessage, outbox_id, populate_existing=True)
            if row is None:
                raise NotFound(f"outbox message {outbox_id} not found")
            if not cast(CursorResult, result).rowcount:
                raise Conflict(f"outbox message {outbox_id} is {row.status}, cannot become {values['status']}")
            return OutboxView.model_validate(row)

    def interrupted_outbox(self, claimed_before: datetime) -> list[OutboxView]:
        """Rows still "sending" whose claim is older than ``claimed_before``: their worker died."""
        with self._tx() as s:
            rows = s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_at.is_(None) | (OutboxMessage.claimed_at < claimed_before),
                ).order_by(OutboxMessage.claimed_at, OutboxMessage.id)
            )
            return [OutboxView.model_validate(row) for row in rows]

    def outbox_list(
        self, *, campaign_id: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[OutboxView]:
        query = select(OutboxMessage)
        if campaign_id is not None:
            query = query.where(OutboxMessage.campaign_id == campaign_id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        query = query.order_by(OutboxMessage.due_at.asc().nulls_first(), OutboxMessage.id).limit(limit)
        with self._tx() as s:
            return [OutboxView.model_validate(row) for row in s.scalars(query)]

    # --- caps ----------------------------------------------------------------------------
    def sends_between(
        self, start: datetime, end: datetime, *, mailbox: str | None = None,
        recipient_domain: str | None = None,
    ) -> int:
        """Sends (including in-flight ones) from a mailbox or to a domain in [start, end)."""
        when = func.coalesce(OutboxMessage.sent_at, OutboxMessage.dispatched_at, OutboxMessage.claimed_at)
        query = select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_(_SENT_LIKE), when >= start, when < end)
        if mailbox is not None:
            query = query.where(OutboxMessage.mailbox == normalize_email(mailbox))
        if recipient_domain is not None:
            query = query.where(OutboxMessage.recipient_domain == recipient_domain)
        with self._tx() as s:
            return int(s.scalar(query) or 0)

    def last_send_at(self, mailbox: str) -> datetime | None:
        with self._tx() as s:
            return s.scalar(select(func.max(OutboxMessage.sent_at)).where(
                OutboxMessage.mailbox == normalize_email(mailbox), OutboxMessage.status == "sent"))

    # --- mailboxes -----------------------------------------------------------------------
    def mailbox_state(self, address: str) -> MailboxView:
        with self._tx() as s:
            return MailboxView.model_validate(self._mailbox(s, address))

    def note_mailbox_send(self, address: str, at: datetime) -> None:
        """Remember the first send of a mailbox: its warm-up ramp starts there."""
        with self._tx() as s:
            row = self._mailbox(s, address)
            if row.first_send_at is None:
                row.first_send_at = at

    def pause_mailbox(self, address: str, reason: str, at: datetime) -> MailboxView:
        with self._tx() as s:
            row = self._mailbox(s, address)
            row.paused_at, row.paused_reason = at, reason
            return MailboxView.model_validate(row)

    def resume_mailbox(self, address: str) -> MailboxView:
        with self._tx() as s:
            row = self._mailbox(s, address)
            row.paused_at, row.paused_reason = None, None
            return MailboxView.model_validate(row)

    @staticmethod
    def _mailbox(session: Any, address: str) -> Mailbox:
        key = normalize_email(address)
        row = session.scalars(select(Mailbox).where(Mailbox.address == key)).first()
        if row is not None:
            return row
        try:
            with session.begin_nested():
                row = Mailbox(address=key)
                session.add(row)
        except IntegrityError:
            row = session.scalars(select(Mailbox).where(Mailbox.address == key)).one()
        return row

    # --- recipient place and guardrails ---------------------------------------------------
    def recipient_place(self, approval_id: str) -> dict[str, Any]:
        """The recipient company's country and locations (for its time zone), {} when unknown."""
        with self._tx() as s:
            profile = s.scalar(
                select(Company.profile)
                .join(LeadRow, LeadRow.company_id == Company.id)
                .join(DraftRow, DraftRow.lead_id == LeadRow.id)
                .join(ApprovalItem, ApprovalItem.draft_id == DraftRow.id)
                .where(ApprovalItem.id == approval_id)
            )
        profile = profile or {}
        return {"country": profile.get("country"), "locations": list(profile.get("locations") or [])}

    def delivery_stats(self, campaign_id: str, since: datetime, kinds: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Messages of a campaign sent since ``since`` and, per named group of event kinds, how
        many distinct messages got such an event (e.g. {"bounced": ("bounce", "reply_bounce")})."""
        with self._tx() as s:
            stats = {"sent": int(s.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.campaign_id == campaign_id, OutboxMessage.status == "sent",
                OutboxMessage.sent_at >= since)) or 0)}
            for name, group in kinds.items():
                stats[name] = int(s.scalar(
                    select(func.count(func.distinct(func.coalesce(Event.outbox_message_id, Event.id))))
                    .where(Event.campaign_id == campaign_id, Event.kind.in_(group),
                           Event.occurred_at >= since)) or 0)
            return stats

    def provider_saw(self, outbox_id: str) -> bool:
        """True when a provider event or reply refers to this message: the provider accepted it."""
        with self._tx() as s:
            return bool(s.scalar(select(func.count()).select_from(Event).where(
                Event.outbox_message_id == outbox_id,
                Event.kind.notin_(("alert", "send_unconfirmed")))))
