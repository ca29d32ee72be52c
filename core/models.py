"""Domain models shared by every layer (pydantic). No I/O here.

``Lead`` is also the shape of one line of ``leadgen run --out`` (see
``core/schemas/lead_result.schema.json``); keep them in step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Engine = Literal["rules", "llm"]


class _Strict(BaseModel):
    """Input models: unknown fields are an error that names the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ICP(_Strict):
    """Ideal customer profile: what a fitting company looks like."""

    industries: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    min_employees: int | None = Field(default=None, ge=0)
    max_employees: int | None = Field(default=None, ge=0)
    signals: list[str] = Field(default_factory=list, description="Required signals: hiring, funding, launch, ...")
    exclude: list[str] = Field(default_factory=list, description="Keywords, industries or domains to exclude.")

    @model_validator(mode="after")
    def _range(self) -> ICP:
        if (
            self.min_employees is not None
            and self.max_employees is not None
            and self.min_employees > self.max_employees
        ):
            raise ValueError("min_employees must not exceed max_employees")
        return self


class Sender(_Strict):
    name: str = Field(min_length=1)
    company: str = Field(min_length=1)
    email: str = Field(min_length=3)
    postal_address: str = Field(min_length=5)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        local, _, domain = v.partition("@")
        if not local or "." not in domain:
            raise ValueError("must be an e-mail address like jane@example.com")
        return v


class CampaignBrief(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    offer: str = Field(min_length=3)
    icp: ICP = Field(default_factory=ICP)
    sender: Sender
    sequence_steps: int = Field(default=2, ge=1, le=5, description="E-mails per contact: first touch + follow-ups.")


class Discovery(_Strict):
    """Where a campaign finds its companies when none are listed.

    ``yc``: the built-in starter directory (YC companies), pre-filtered by the ICP;
    ``directory``: crawl the listing page at ``url`` (with its pagination);
    ``web_search``: the configured search API, queried from the ICP.
    """

    source: Literal["yc", "directory", "web_search"]
    url: str | None = None
    limit: int = Field(default=50, ge=1, le=5000)

    @model_validator(mode="after")
    def _url(self) -> Discovery:
        if self.source == "directory" and not (self.url or "").startswith(("http://", "https://")):
            raise ValueError("a directory source needs the http(s) url of the listing page")
        return self


class Evidence(BaseModel):
    claim: str
    source_url: str


class Signal(BaseModel):
    kind: str  # hiring | funding | launch | news | tech | ...
    text: str
    source_url: str


class FieldConflict(BaseModel):
    """A scraped value and a provider's different value for the same field; the scraped one is kept."""

    field: str
    scraped: str | None = None
    scraped_source: str | None = None
    enriched: str | None = None
    provider_source: str


class Company(BaseModel):
    name: str | None = None
    domain: str
    description: str | None = None
    locations: list[str] = Field(default_factory=list)
    country: str | None = None
    team_size: int | None = None
    industry: str | None = None
    is_hiring: bool | None = None
    signals: list[Signal] = Field(default_factory=list)
    # Below: not part of the CLI line (see RESULT_FIELDS), carried for later agents.
    keywords: list[str] = Field(default_factory=list)  # topics the site lists for itself (tags, meta keywords)
    open_roles: list[str] = Field(default_factory=list)
    facts: list[Evidence] = Field(default_factory=list)  # quotable sentences with their page
    sources: dict[str, str] = Field(default_factory=dict)  # field name -> source_url it came from
    pages: dict[str, str] = Field(default_factory=dict)  # url -> visible text
    conflicts: list[FieldConflict] = Field(default_factory=list)  # enrichment disagreements, both sources kept


class Contact(BaseModel):
    name: str | None = None
    title: str | None = None
    email: str | None = None
    source_url: str | None = None
    email_status: Literal["found", "role", "guessed"] | None = Field(default=None)
    confidence: float | None = Field(default=None)
    sources: dict[str, str] = Field(default_factory=dict)  # field -> where it came from when not source_url


class Qualification(BaseModel):
    fit: bool
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0, le=1)
    engine: Engine = Field(default="rules")


class Claim(BaseModel):
    text: str
    source_url: str


class Draft(BaseModel):
    step: int = Field(ge=1)
    subject: str
    body: str
    claims: list[Claim] = Field(default_factory=list)
    to_email: str | None = Field(default=None)
    to_name: str | None = Field(default=None)
    engine: Engine = Field(default="rules")
    prompt_version: str | None = Field(default=None)  # e.g. copywriter/first_touch@v1
    prompt_sha256: str | None = Field(default=None)
    flags: list[str] = Field(default_factory=list)  # guard findings
    angle: str | None = Field(default=None)  # hook used: funding | launch | news | hiring | product


LeadStatus = Literal["qualified", "disqualified", "error"]


class Lead(BaseModel):
    """One input company through the pipeline; a line of `leadgen run --out`."""

    url: str
    status: LeadStatus | None = None  # None while still in progress
    company: Company | None = None
    contacts: list[Contact] = Field(default_factory=list)
    qualification: Qualification | None = None
    drafts: list[Draft] = Field(default_factory=list)
    error: str | None = None
    index: int = Field(default=0)  # position in the input file
    # LLM usage for this lead: input_tokens, output_tokens, calls, cost_usd (empty with the rules engine)
    usage: dict[str, float] = Field(default_factory=dict)

    def result_line(self) -> dict:
        """The public JSON shape of one result line: internal fields are left out."""
        return self.model_dump(mode="json", include=RESULT_FIELDS)


RESULT_FIELDS: dict = {
    "url": True,
    "status": True,
    "company": {
        "name", "domain", "description", "locations", "country", "team_size",
        "industry", "is_hiring", "signals",
    },
    "contacts": {"__all__": {"name", "title", "email", "source_url"}},
    "qualification": {"fit", "score", "reasons", "evidence", "engine"},
    "drafts": {"__all__": {"step", "subject", "body", "claims", "engine", "prompt_version"}},
    "error": True,
    "usage": True,
}


OutcomeKind = Literal[
    "replied_positive", "replied_neutral", "replied_negative", "meeting",
    "bounced", "unsubscribed", "complained", "no_reply",
]


class Outcome(BaseModel):
    """What happened after a lead was contacted; stored in memory for later campaigns."""

    campaign_id: str
    domain: str
    kind: OutcomeKind
    profile: str  # short text profile of the company (name, industry, description, size, location)
    industry: str | None = None
    angle: str | None = None  # which hook the copy used (hiring, funding, launch, product, ...)
    prompt_version: str | None = None
    score: int | None = None


class PriorOutcome(Outcome):
    similarity: float = Field(ge=-1, le=1)
