"""Everything the graph needs from the outside world, built from Settings in one place.

The CLI, the API and the workers all call :func:`open_deps`; tests build ``Deps`` from fakes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from core.db.repository import Repository
from core.settings import Settings
from tools.mail.base import Mailer
from tools.web.types import Fetcher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    fetcher: Fetcher
    repository: Repository
    mailer: Mailer
    memory: Any | None = None  # memory.store.OutcomeMemory
    llm: Any | None = None  # langchain BaseChatModel; None = rules engines
    clock: Callable[[], datetime] = utc_now
    page_budget: int = 8
    research_deadline: float | None = None  # seconds a company's site may take; None = no limit
    public_base_url: str = "http://127.0.0.1:8000"
    secret_key: str = "dev-insecure-change-me-before-any-real-use"
    budget: Any | None = None  # tools.llm.TokenBudget; bound to one campaign by for_campaign
    send_policy: Any | None = None  # agents.send_policy.SendPolicy; None = send as soon as approved
    enrichers: list[Any] = field(default_factory=list)  # tools.enrich.Enricher; empty = none configured
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        return "llm" if self.llm is not None else "rules"

    def for_campaign(self, campaign_id: str) -> Deps:
        """These deps with the LLM budget of ``campaign_id``: its limits over the spend stored for
        the campaign, so earlier runs, resumes and other workers count. Reads the database: call it
        off the event loop. Unchanged without a budget or a repository, or when already bound."""
        budget = self.budget
        if budget is None or self.repository is None or budget.campaign_id == campaign_id:
            return self
        return replace(self, budget=budget.for_campaign(campaign_id, self.repository))


def make_repository(settings: Settings) -> Repository:
    from core.db.engine import make_engine, session_factory

    settings.ensure_dirs()
    return Repository(session_factory(make_engine(settings.resolved_database_url)))


@asynccontextmanager
async def open_deps(settings: Settings, **overrides: Any) -> AsyncIterator[Deps]:
    """Build production Deps from settings; close what needs closing on exit."""
    from agents.send_policy import SendPolicy
    from memory.store import OutcomeMemory
    from tools.enrich import build_enrichers
    from tools.llm import TokenBudget, build_chat_model
    from tools.mail.factory import build_mailer
    from tools.web.fetcher import build_fetcher

    settings.ensure_dirs()
    fetcher = overrides.pop("fetcher", None) or build_fetcher(settings)
    enrichers = overrides.pop("enrichers", None)
    if enrichers is None:
        enrichers = build_enrichers(settings)
    try:
        llm = overrides.pop("llm", None) or build_chat_model(settings)
        deps = Deps(
            fetcher=fetcher,
            repository=overrides.pop("repository", None) or make_repository(settings),
            mailer=overrides.pop("mailer", None) or build_mailer(settings),
            memory=overrides.pop("memory", None) or OutcomeMemory.from_settings(settings),
            llm=llm,
            page_budget=settings.page_budget,
            research_deadline=settings.research_deadline,
            public_base_url=settings.public_base_url,
            secret_key=settings.secret_key,
            # The limits only: the runner and the shards bind it to a campaign (Deps.for_campaign).
            budget=TokenBudget.from_settings(settings) if llm is not None else None,
            send_policy=overrides.pop("send_policy", None) or SendPolicy.from_settings(settings),
            enrichers=enrichers,
            **overrides,
        )
        yield deps
    finally:
        await fetcher.aclose()
        for enricher in enrichers:
            await enricher.aclose()
