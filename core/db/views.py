"""Read-only snapshots the Repository returns (pydantic), so no caller ever holds a live ORM row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.models import CampaignBrief, Claim


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class CampaignView(_View):
    id: str
    workspace_id: str
    name: str
    brief: CampaignBrief
    status: str
    thread_id: str
    inputs: list[str]
    discovery: dict[str, Any] | None = None
    counts: dict[str, Any] = Field(default_factory=dict)
    engine: str
    created_at: datetime
    updated_at: datetime
    error: str | None = None


class CompanyRef(_View):
    name: str | None = None
    domain: str


class ContactRef(_View):
    id: str | None = None
    name: str | None = None
    title: str | None = None
    email: str | None = None


class DraftContent(_View):
    id: str
    step: int
    subject: str
    body: str
    claims: list[Claim] = Field(default_factory=list)
    engine: str = "rules"
    prompt_version: str | None = None


class ApprovalView(_View):
    id: str
    workspace_id: str
    campaign_id: str
    lead_id: str
    lead_url: str
    status: str
    score: int | None = None
    flags: list[str] = Field(default_factory=list)
    company: CompanyRef | None = None
    contact: ContactRef | None = None
    draft: DraftContent
    decided_by: str | None = None
    decided_at: datetime | None = None
    approved_subject: str | None = None
    approved_body: str | None = None
    approved_hash: str | None = None
    created_at: datetime


class OutboxView(_View):
    id: str
    workspace_id: str
    campaign_id: str
    approval_item_id: str | None = None
    contact_id: str | None = None
    to_email: str
    step: int
    idempotency_key: str
    message_id: str
    subject: str
    body: str
    content_hash: str
    status: str
    due_at: datetime | None = None
    attempts: int
    provider: str | None = None
    provider_message_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    created_at: datetime
    explain: dict[str, Any] | None = None
    mailbox: str | None = None
    recipient_domain: str | None = None
    claimed_at: datetime | None = None
    dispatched_at: datetime | None = None


class MailboxView(_View):
    address: str
    first_send_at: datetime | None = None
    paused_at: datetime | None = None
    paused_reason: str | None = None


class EventView(_View):
    id: str
    workspace_id: str
    campaign_id: str | None = None
    lead_id: str | None = None
    outbox_message_id: str | None = None
    kind: str
    provider_event_id: str | None = None
    payload: dict[str, Any] | None = None
    occurred_at: datetime
    created_at: datetime


class AuditView(_View):
    id: str
    workspace_id: str | None = None
    actor: str
    action: str
    object_type: str
    object_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    at: datetime


class UserView(_View):
    id: str
    workspace_id: str
    email: str
    password_hash: str | None = None
    role: str
    is_active: bool
    created_at: datetime


class ApiKeyView(_View):
    id: str
    workspace_id: str
    user_id: str | None = None
    name: str
    prefix: str
    revoked_at: datetime | None = None
    created_at: datetime
    last_used_at: datetime | None = None
