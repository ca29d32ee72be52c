"""ORM tables of the product (SQLAlchemy 2.0 typed mapping); portable across SQLite and PostgreSQL.

The schema is created by Alembic (``core/db/migrations``); keep the two in step (a test runs
the autogenerate comparison and expects no difference).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("admin", "reviewer", "viewer")
CAMPAIGN_STATUSES = (
    "draft", "running", "awaiting_approval", "sending", "paused", "completed", "cancelled", "failed",
)
APPROVAL_STATUSES = ("pending", "approved", "rejected")
# "unconfirmed": the provider may have accepted it before a crash and cannot be asked; a
# person decides (never re-sent automatically). See docs/sending.md.
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed", "cancelled", "unconfirmed")
SUPPRESSION_REASONS = ("unsubscribe", "hard_bounce", "complaint", "manual", "erasure", "domain")

NOW = text("CURRENT_TIMESTAMP")


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every backend: stored as UTC, read back with tzinfo=UTC.

    SQLite keeps no offset, so values are converted to UTC before they are written and
    marked UTC when read; PostgreSQL stores ``timestamptz`` and gets the same treatment.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _check_in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow, server_default=NOW)


def _workspace(nullable: bool = False) -> Mapped[Any]:
    return mapped_column(String(36), ForeignKey("workspaces.id"), nullable=nullable)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = _created()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        _check_in("role", ROLES, "role"),
        Index("ix_users_workspace_id", "workspace_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), server_default="viewer")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[datetime] = _created()


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        Index("ix_api_keys_workspace_id", "workspace_id"),
        Index("ix_api_keys_user_id", "user_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    user_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = _created()
    last_used_at: Mapped[datetime | None]


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        _check_in("status", CAMPAIGN_STATUSES, "status"),
        Index("ix_campaigns_workspace_id_created_at", "workspace_id", "created_at"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    name: Mapped[str] = mapped_column(String(200))
    brief: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(32), server_default="draft")
    thread_id: Mapped[str] = mapped_column(String(200), unique=True)
    inputs: Mapped[list[Any]]
    discovery: Mapped[dict[str, Any] | None]  # core.models.Discovery when companies are found, not listed
    counts: Mapped[dict[str, Any] | None]
    engine: Mapped[str] = mapped_column(String(20), server_default="rules")
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()
    error: Mapped[str | None] = mapped_column(Text)


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (UniqueConstraint("workspace_id", "domain"),)

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    domain: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(300))
    profile: Mapped[dict[str, Any]]


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "company_id", "email"),
        Index("ix_contacts_company_id", "company_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    company_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("companies.id", ondelete="CASCADE")
    )
    name: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    email_status: Mapped[str | None] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(Text)


class LeadRow(Base):
    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("campaign_id", "url"),
        Index("ix_leads_company_id", "company_id"),
        Index("ix_leads_workspace_id", "workspace_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    company_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("companies.id", ondelete="SET NULL")
    )
    url: Mapped[str] = mapped_column(String(2048))
    input_index: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    status: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[int | None]
    fit: Mapped[bool | None]
    qualification: Mapped[dict[str, Any] | None]
    result: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class EvidenceRow(Base):
    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_lead_id", "lead_id"),)

    id: Mapped[str] = _id()
    lead_id: Mapped[str] = mapped_column(String(36), ForeignKey("leads.id", ondelete="CASCADE"))
    claim: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("lead_id", "step"),
        Index("ix_drafts_contact_id", "contact_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    lead_id: Mapped[str] = mapped_column(String(36), ForeignKey("leads.id", ondelete="CASCADE"))
    contact_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("contacts.id", ondelete="SET NULL")
    )
    step: Mapped[int]
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    claims: Mapped[list[Any]]
    engine: Mapped[str] = mapped_column(String(20), server_default="rules")
    prompt_version: Mapped[str | None] = mapped_column(String(200))
    prompt_sha256: Mapped[str | None] = mapped_column(String(64))
    flags: Mapped[list[Any]]
    created_at: Mapped[datetime] = _created()


class ApprovalItem(Base):
    __tablename__ = "approval_items"
    __table_args__ = (
        _check_in("status", APPROVAL_STATUSES, "status"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    draft_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("drafts.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    score: Mapped[int | None]
    flags: Mapped[list[Any]]
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None]
    approved_subject: Mapped[str | None] = mapped_column(Text)
    approved_body: Mapped[str | None] = mapped_column(Text)
    approved_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = _created()


# The review queue's order (score DESC NULLS LAST, created_at, id) within a workspace or a
# campaign and a status: a page is an index range, found without sorting (migration 0006).
# SQLite cannot say NULLS LAST in an index but its DESC already puts NULLs last.
Index("ix_approval_items_workspace_queue", ApprovalItem.workspace_id, ApprovalItem.status,
      ApprovalItem.score.desc().nulls_last(), ApprovalItem.created_at, ApprovalItem.id)
Index("ix_approval_items_campaign_queue", ApprovalItem.campaign_id, ApprovalItem.status,
      ApprovalItem.score.desc().nulls_last(), ApprovalItem.created_at, ApprovalItem.id)


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        _check_in("status", OUTBOX_STATUSES, "status"),
        Index("ix_outbox_messages_status_due_at", "status", "due_at"),
        Index("ix_outbox_messages_campaign_id", "campaign_id"),
        Index("ix_outbox_messages_provider_message_id", "provider_message_id"),
        Index("ix_outbox_messages_mailbox_sent_at", "mailbox", "sent_at"),
        Index("ix_outbox_messages_recipient_domain_sent_at", "recipient_domain", "sent_at"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    approval_item_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("approval_items.id", ondelete="SET NULL")
    )
    contact_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("contacts.id", ondelete="SET NULL")
    )
    to_email: Mapped[str] = mapped_column(String(320))
    step: Mapped[int]
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), server_default="queued")
    due_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    provider: Mapped[str | None] = mapped_column(String(40))
    provider_message_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = _created()
    explain: Mapped[dict[str, Any] | None]
    # Sending mailbox (the From address) and the recipient's domain: what daily caps count.
    mailbox: Mapped[str | None] = mapped_column(String(320))
    recipient_domain: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None]  # when the current attempt took the "sending" claim
    # Set, and committed, right before the provider call of the current attempt: a row left in
    # "sending" without it never reached the provider and is safe to send again.
    dispatched_at: Mapped[datetime | None]


class Mailbox(Base):
    """A sending address: when it first sent (warm-up ramp) and whether it is paused."""

    __tablename__ = "mailboxes"

    id: Mapped[str] = _id()
    address: Mapped[str] = mapped_column(String(320), unique=True)
    first_send_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_workspace_id_kind", "workspace_id", "kind"),
        Index("ix_events_campaign_id", "campaign_id"),
        Index("ix_events_outbox_message_id", "outbox_message_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    campaign_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    lead_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("leads.id", ondelete="SET NULL")
    )
    outbox_message_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(40))
    provider_event_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    payload: Mapped[dict[str, Any] | None]
    occurred_at: Mapped[datetime] = _created()
    created_at: Mapped[datetime] = _created()


class Suppression(Base):
    __tablename__ = "suppressions"
    __table_args__ = (
        _check_in("reason", SUPPRESSION_REASONS, "reason"),
        UniqueConstraint("workspace_id", "email_hash"),
        Index("ix_suppressions_email_hash", "email_hash"),
        Index("ix_suppressions_domain", "domain"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str | None] = _workspace(nullable=True)
    email_hash: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    domain: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _created()


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_workspace_id_at", "workspace_id", "at"),
        Index("ix_audit_log_object_type_object_id", "object_type", "object_id"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str | None] = _workspace(nullable=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    at: Mapped[datetime] = _created()


BRIEFING_STATUSES = ("open", "complete", "cancelled")


class Briefing(Base):
    """A chat that fills a campaign brief: its messages, the partial brief and the campaign it made."""

    __tablename__ = "briefings"
    __table_args__ = (
        _check_in("status", BRIEFING_STATUSES, "status"),
        Index("ix_briefings_workspace_id_created_at", "workspace_id", "created_at"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    user_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id", ondelete="SET NULL"))
    messages: Mapped[list[Any]]
    brief: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20), server_default="open")
    campaign_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


EXPERIMENT_STATUSES = ("running", "promoted", "stopped")


class Experiment(Base):
    """A prompt experiment on one campaign: arms (prompt overrides), holdout share, the decision."""

    __tablename__ = "experiments"
    __table_args__ = (
        _check_in("status", EXPERIMENT_STATUSES, "status"),
        Index("ix_experiments_workspace_id_created_at", "workspace_id", "created_at"),
    )

    id: Mapped[str] = _id()
    workspace_id: Mapped[str] = _workspace()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    arms: Mapped[list[Any]]
    holdout_share: Mapped[float]
    min_sends: Mapped[int]
    metric: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), server_default="running")
    winner: Mapped[str | None] = mapped_column(String(40))
    decision: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = _created()
    decided_at: Mapped[datetime | None]


class LeadClaim(Base):
    """Who researches one company of a sharded campaign: at most one live claim per
    (campaign, url); a claim older than the lease and not finished may be taken over."""

    __tablename__ = "lead_claims"
    __table_args__ = (UniqueConstraint("campaign_id", "url"),)

    id: Mapped[str] = _id()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2048))
    input_index: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("1"))  # claims taken, takeovers included
    finished_at: Mapped[datetime | None]


class LeadPhase(Base):
    """The sharded lead phase of a campaign: started once, finished by exactly one shard."""

    __tablename__ = "lead_phases"

    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    shards: Mapped[int]
    started_at: Mapped[datetime] = _created()
    finished_at: Mapped[datetime | None]
    finished_by: Mapped[str | None] = mapped_column(String(200))


class LlmSpend(Base):
    """What a campaign has spent on the LLM over all its runs, resumes and workers
    (``tools.llm.TokenBudget`` charges it; ``core.db.budget_store`` keeps it atomic)."""

    __tablename__ = "llm_spend"

    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    tokens: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    cost_usd: Mapped[float] = mapped_column(Float, server_default=text("0"))
    calls: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated_at: Mapped[datetime] = _created()


class LlmHold(Base):
    """Tokens and USD reserved for one LLM call in flight. It expires, so a worker that dies
    mid-call gives its reservation back to the campaign's budget."""

    __tablename__ = "llm_holds"
    __table_args__ = (Index("ix_llm_holds_campaign_id_expires_at", "campaign_id", "expires_at"),)

    id: Mapped[str] = _id()
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    tokens: Mapped[int] = mapped_column(BigInteger)
    cost_usd: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[datetime]
