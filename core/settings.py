"""Runtime configuration: every knob is an environment variable prefixed ``LEADGEN_``.

With nothing set, leadgen runs on one laptop (SQLite, local Chroma, file outbox, rules
engine). `.env.example` documents every field below; keep the two in sync (a test checks).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEADGEN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -------------------------------------------------------------------
    data_dir: Path = Field(
        default=Path(".leadgen"),
        description="Directory for the SQLite database, checkpoints, page cache, outbox and memory.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: sqlite:///<data_dir>/leadgen.db. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db (also used for LangGraph checkpoints).",
    )
    object_store_url: str | None = Field(
        default=None,
        description="Where exports and snapshots go. Default: <data_dir>/objects. s3://bucket for S3/MinIO.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="S3 API endpoint for s3:// object stores (MinIO, R2, ...), e.g. http://127.0.0.1:9000. "
        "Credentials come from the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION.",
    )
    retention_days_snapshots: int = Field(
        default=30, ge=0,
        description="Delete cached pages and page snapshots older than this many days (0 = keep forever).",
    )
    retention_days_personal: int = Field(
        default=0, ge=0,
        description="Erase contacts' names/e-mails/titles, drafts, outbox addresses and exports of leads "
        "older than this many days and not in an active sequence; suppression hashes are kept (0 = keep forever).",
    )

    # --- web fetching ---------------------------------------------------------------
    http_proxy: str | None = Field(
        default=None, description="HTTP proxy for every outbound web request (httpx and browser)."
    )
    user_agent: str = Field(
        default="leadgen-bot/0.1 (+https://github.com/leadgen/leadgen)",
        description="User-Agent sent with every request; its product token is matched in robots.txt.",
    )
    fetch_timeout: float = Field(default=10.0, description="Per-request timeout in seconds.")
    fetch_max_bytes: int = Field(default=2_000_000, description="Response size cap in bytes.")
    fetch_max_redirects: int = Field(default=5, description="Redirects followed at most.")
    fetch_retries: int = Field(default=2, description="Retries on retryable errors (timeouts, 429, 5xx).")
    per_host_concurrency: int = Field(default=2, description="Concurrent requests per host (max 2).")
    per_host_delay: float = Field(default=0.25, description="Minimum seconds between requests to one host.")
    global_concurrency: int = Field(default=32, description="Concurrent requests across all hosts.")
    company_concurrency: int = Field(default=16, description="Companies researched at the same time.")
    page_budget: int = Field(default=8, description="Pages fetched per company at most.")
    research_deadline: float = Field(
        default=120.0, gt=0,
        description="Seconds one company's site may take at most (every page, retry, redirect and robots.txt); "
        "past it the pages read so far are used, or the company becomes an error line.",
    )
    allow_private_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts/IPs allowed despite the SSRF guard (comma separated), e.g. 127.0.0.1 for a local sample web.",
    )
    browser: bool = Field(default=True, description="Use Playwright (chromium) for JavaScript-rendered pages.")
    browser_executable: str | None = Field(
        default=None,
        description="Chromium binary for Playwright. Default: Debian's chromium-headless-shell when installed "
        "(a third of the memory), else /usr/bin/chromium.",
    )
    browser_tabs: int = Field(
        default=3, ge=1, le=16,
        description="Pages chromium renders at once: 3 keeps the researcher under 600 MB; more is faster and bigger.",
    )
    browser_relaunch_after: int = Field(
        default=100, ge=1,
        description="Renders after which chromium is restarted (its memory grows with every site it has shown).",
    )
    starter_directory: str | None = Field(
        default=None,
        description="JSONL company directory (YC format) used by the 'yc' discovery source; default: the bundled one.",
    )
    page_cache: bool = Field(default=True, description="Keep fetched pages in a content-addressed disk cache.")

    # --- discovery and enrichment providers (optional) ------------------------------
    search_provider: Literal["brave", "searxng", "none"] = Field(
        default="none", description="Web search API used by `leadgen discover --search`: brave, searxng or none."
    )
    search_base_url: str | None = Field(
        default=None,
        description="Search API base URL. Default for brave: https://api.search.brave.com; searxng needs your instance URL.",
    )
    search_api_key: str | None = Field(default=None, description="Search API key (Brave: X-Subscription-Token).")
    search_results_per_query: int = Field(default=20, ge=1, le=20, description="Results asked for per search query.")
    search_max_queries: int = Field(default=12, ge=1, description="Search queries built from one brief's ICP at most.")
    directory_page_cap: int = Field(default=10, ge=1, description="Listing pages followed per directory crawl at most.")
    hunter_api_key: str | None = Field(default=None, description="Hunter.io API key; enables domain search and e-mail verification.")
    hunter_base_url: str = Field(default="https://api.hunter.io", description="Hunter.io API base URL.")
    hunter_verify_max: int = Field(default=3, ge=0, description="Guessed addresses verified with Hunter per company (0 = never).")
    pdl_api_key: str | None = Field(default=None, description="People Data Labs API key; enables company enrichment.")
    pdl_base_url: str = Field(default="https://api.peopledatalabs.com", description="People Data Labs API base URL.")
    enrich_found_confidence: int = Field(
        default=90, ge=0, le=100,
        description="Provider confidence (0-100) from which an address seen in public sources counts as found.",
    )
    provider_timeout: float = Field(default=15.0, description="Seconds per search/enrichment API request.")
    provider_retries: int = Field(default=2, ge=0, description="Retries of a search/enrichment API call on 429 and 5xx.")
    provider_retry_after_cap: float = Field(default=60.0, description="Longest Retry-After (seconds) honoured before giving up.")

    # --- LLM (optional; without it every agent uses its rules engine) -------------
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: str | None = Field(default=None, description="API key for the endpoint (any string for local servers).")
    llm_timeout: float = Field(default=60.0, description="Seconds per LLM call.")
    llm_max_retries: int = Field(default=2, description="Retries on transient LLM errors.")
    llm_token_budget: int = Field(default=2_000_000, description="Tokens per campaign before the LLM path stops.")
    llm_cost_budget_usd: float = Field(default=20.0, description="Cost per campaign (USD) before the LLM path stops.")

    # --- memory ------------------------------------------------------------------------
    chroma_url: str | None = Field(default=None, description="Chroma server URL; default is an embedded PersistentClient.")

    # --- mail ----------------------------------------------------------------------------
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:587?starttls=1 (or smtps://...).")
    sendgrid_api_key: str | None = Field(default=None, description="SendGrid API key; used when SMTP is not set.")
    sendgrid_host: str = Field(default="https://api.sendgrid.com", description="SendGrid API base URL.")
    sendgrid_webhook_public_key: str | None = Field(default=None, description="Event Webhook verification key (base64 DER).")
    public_base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of the API, used in unsubscribe links.")
    inbound_webhook_token: str | None = Field(
        default=None,
        description="Secret of the SendGrid Inbound Parse webhook: point it at <public_base_url>/api/v1/webhooks/sendgrid/inbound/<token> "
        "(or .../inbound with HTTP basic auth, this token as password). Unset: the endpoint is off.",
    )
    imap_url: str | None = Field(
        default=None,
        description="Mailbox polled for replies and bounces: imaps://user:pass@host:993/INBOX (imap:// without TLS). Unset: no polling.",
    )
    imap_workspace: str = Field(default="default", description="Workspace (name) whose sent mail the IMAP mailbox receives replies to.")
    imap_poll_seconds: float = Field(default=120.0, gt=0, description="Seconds between two IMAP polls by the worker's scheduler (beat).")

    # --- sending schedule, caps and guardrails (see docs/sending.md) ----------------
    send_immediately: bool = Field(default=False, description="Ignore send windows and gaps between sends (demos, tests); step delays, caps and suppression still apply.")
    send_window_start: str = Field(default="09:00", description="Earliest local time (recipient's time zone) a message is sent, HH:MM.")
    send_window_end: str = Field(default="17:00", description="Latest local time (recipient's time zone) a message is sent, HH:MM.")
    sending_timezone: str = Field(default="UTC", description="Time zone used when a recipient's location is unknown (IANA name, e.g. Europe/Berlin).")
    step_delay_business_days: int = Field(default=3, description="Business days between one sequence step and the next.")
    mailbox_daily_cap: int = Field(default=200, description="Messages one sending mailbox sends per day once warmed up.")
    mailbox_warmup_start: int = Field(default=20, description="Daily cap of a new mailbox on its first sending day.")
    mailbox_warmup_days: int = Field(default=14, description="Days over which a new mailbox's cap grows linearly to mailbox_daily_cap.")
    domain_daily_cap: int = Field(default=20, description="Messages per day to one recipient domain (e.g. acme.com), across mailboxes.")
    send_gap_seconds: float = Field(default=60.0, description="Minimum seconds between two sends from one mailbox.")
    send_gap_jitter_seconds: float = Field(default=60.0, description="Extra random (seeded by Message-ID) seconds added to each gap.")
    send_retry_base_seconds: float = Field(default=300.0, description="First retry delay after a transient provider error; doubles per attempt.")
    send_max_attempts: int = Field(default=6, description="Attempts before a message that keeps failing transiently is marked failed.")
    send_lease_seconds: float = Field(default=600.0, description="A message claimed longer ago than this is treated as interrupted by a crash and recovered.")
    sent_archive_dir: Path | None = Field(default=None, description="Directory (Maildir or .eml files) where the relay archives accepted mail; lets crash recovery confirm ambiguous sends.")
    guardrail_bounce_rate: float = Field(default=0.03, description="Campaign pauses itself when its rolling bounce rate exceeds this fraction.")
    guardrail_complaint_rate: float = Field(default=0.001, description="Campaign pauses itself when its rolling complaint rate exceeds this fraction.")
    guardrail_window_days: int = Field(default=7, description="Days of sends the rolling bounce and complaint rates look at.")
    guardrail_min_sent: int = Field(default=20, description="Sends in the window before the bounce-rate guardrail may trigger (complaints always count).")

    # --- API, auth, workers -------------------------------------------------------
    secret_key: str = Field(default="dev-insecure-change-me-before-any-real-use", description="Signs JWTs and unsubscribe tokens. Set in production.")
    jwt_expiry_minutes: int = Field(default=30, description="Access token lifetime in minutes.")
    broker_url: str | None = Field(default=None, description="Celery broker (redis://127.0.0.1:6379/0). Unset: campaigns run in-process.")
    celery_queue: str = Field(default="leadgen", description="Celery queue the API sends campaign tasks to and workers consume.")
    shard_size: int = Field(
        default=50, ge=1,
        description="Workers split a campaign with more companies than this into research shards of this size, run by any worker.",
    )
    lead_claim_lease_seconds: float = Field(
        default=900.0, gt=0,
        description="A company claimed for research longer ago than this and not finished (its worker died) may be researched by another worker.",
    )
    worker_metrics_port: int = Field(
        default=9100, ge=0, description="Port of a worker's metrics server (0: any free port, e.g. several workers on one host).",
    )
    redis_url: str | None = Field(default=None, description="Redis for rate limits; unset: in-memory.")
    log_level: str = Field(default="INFO", description="Log level.")
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Log lines: json (one object a line), text (human), auto (text on a terminal, json otherwise).",
    )

    @field_validator("allow_private_hosts", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leadgen.db').resolve()}"

    @property
    def is_postgres(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


def get_settings() -> Settings:
    return Settings()


def env_example() -> str:
    """The text of `.env.example`: every setting, its default and what it does."""
    lines = [
        "# leadgen settings. Every variable is optional: with none set, leadgen runs on one",
        "# laptop (SQLite, embedded Chroma, file outbox, rules engine instead of an LLM).",
        "# Copy to .env and uncomment what you change. Lists are comma separated or JSON.",
        "",
    ]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, list):
            shown = ",".join(default)
        elif default is None:
            shown = ""
        else:
            shown = str(default)
        lines.append(f"# {field.description}")
        lines.append(f"# LEADGEN_{name.upper()}={shown}")
        lines.append("")
    return "\n".join(lines)
