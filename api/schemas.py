"""Request and response bodies of the HTTP API (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.db.views import ApprovalView, CampaignView
from core.models import CampaignBrief, Claim, Discovery

MAX_COMPANIES = 10_000
# Deeper pages are empty anyway; larger values overflow the databases' 64-bit OFFSET (a 500).
MAX_OFFSET = 1_000_000_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class CampaignIn(_In):
    """Companies to research, or a discovery source that finds them (exactly one of the two)."""

    brief: CampaignBrief
    companies: list[str] = Field(default_factory=list, max_length=MAX_COMPANIES)
    discovery: Discovery | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CampaignIn:
        if bool(self.companies) == (self.discovery is not None):
            raise ValueError("give either companies (URLs or domains) or a discovery source, not both or neither")
        return self

    @field_validator("companies")
    @classmethod
    def _unique(cls, companies: list[str]) -> list[str]:
        cleaned = [c.strip() for c in companies if c.strip()]
        if companies and not cleaned:
            raise ValueError("give at least one company URL or domain")
        if any(len(c) > 2048 for c in cleaned):
            raise ValueError("a company URL is longer than 2048 characters")
        return list(dict.fromkeys(cleaned))


class CampaignOut(BaseModel):
    id: str
    name: str
    status: str
    engine: str
    inputs: int
    counts: dict[str, Any]
    brief: CampaignBrief
    created_at: datetime
    updated_at: datetime
    error: str | None = None

    @classmethod
    def of(cls, view: CampaignView) -> CampaignOut:
        return cls(id=view.id, name=view.name, status=view.status, engine=view.engine,
                   inputs=len(view.inputs), counts=view.counts, brief=view.brief,
                   created_at=view.created_at, updated_at=view.updated_at, error=view.error)


class CompanyOut(BaseModel):
    name: str | None = None
    domain: str


class ContactOut(BaseModel):
    name: str | None = None
    title: str | None = None
    email: str | None = None


class DraftOut(BaseModel):
    step: int
    subject: str
    body: str
    claims: list[Claim]


class ApprovalOut(BaseModel):
    id: str
    campaign_id: str
    status: str
    score: int | None
    flags: list[str]
    company: CompanyOut | None
    contact: ContactOut | None
    draft: DraftOut
    lead_url: str
    decided_by: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def of(cls, view: ApprovalView) -> ApprovalOut:
        return cls(
            id=view.id, campaign_id=view.campaign_id, status=view.status, score=view.score,
            flags=list(view.flags),
            company=CompanyOut(name=view.company.name, domain=view.company.domain) if view.company else None,
            contact=ContactOut(name=view.contact.name, title=view.contact.title,
                               email=view.contact.email) if view.contact else None,
            draft=DraftOut(step=view.draft.step, subject=view.draft.subject, body=view.draft.body,
                           claims=list(view.draft.claims)),
            lead_url=view.lead_url, decided_by=view.decided_by, decided_at=view.decided_at,
        )


class ApprovalPage(BaseModel):
    items: list[ApprovalOut]
    limit: int
    offset: int
    # Pass as ``cursor`` to get the page after this one (keyset); None on the last page.
    next_cursor: str | None = None


class EditIn(_In):
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class BulkFilter(_In):
    campaign_id: str | None = None
    min_score: int | None = Field(default=None, ge=0, le=100)
    unflagged_only: bool = False


class BulkIn(_In):
    action: Literal["approve", "reject"]
    ids: list[str] | None = Field(default=None, min_length=1, max_length=1000)
    filter: BulkFilter | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> BulkIn:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give either ids or filter")
        return self


class BulkFailure(BaseModel):
    id: str
    status: int
    detail: str


class BulkOut(BaseModel):
    action: str
    decided: list[str]
    failed: list[BulkFailure]


class ApiKeyIn(_In):
    name: str = Field(min_length=1, max_length=200)


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself; shown once, store it now.")


class BriefingStartIn(_In):
    content: str | None = Field(default=None, max_length=10_000)


class BriefingMessageIn(_In):
    content: str = Field(min_length=1, max_length=10_000)


class BriefingOut(BaseModel):
    """One answer of the briefing chat: the reply, the brief so far and what is still missing."""

    id: str
    reply: str
    brief: dict[str, Any] = Field(description="The brief so far in CampaignBrief's shape (null = missing).")
    companies: list[str]
    discovery: str | None = None
    missing: list[str]
    complete: bool
    status: str = Field(description="open | complete | cancelled")
    campaign_id: str | None = None
    engine: Literal["rules", "llm"] = "rules"
