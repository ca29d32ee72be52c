"""The FastAPI application: wiring of routers, auth, problem details, limits and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.body_limit import MAX_BODY_BYTES, BodySizeLimit
from api.context import AppContext
from api.launcher import CampaignLauncher, build_launcher
from api.metrics import MetricsMiddleware
from api.nul_bytes import RejectNulCharacters
from api.problems import install_problem_handlers
from api.qualification_feedback import review_accuracy
from api.rate_limits import Rate, build_rate_limiter
from api.routers import approvals, auth, briefings, campaigns, health, pages, unsubscribe, webhooks
from core.db.engine import make_engine, session_factory
from core.db.repository import Repository
from core.metrics_export import set_accuracy_sources
from core.settings import Settings

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
DEFAULT_RATE = Rate(per_second=20.0, burst=120)


def _safe_url(url: str | None) -> str:
    """Links built from scraped data: only http(s), anything else becomes inert."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return "#"


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["safe_url"] = _safe_url
    return templates


def create_app(
    settings: Settings,
    *,
    launcher: CampaignLauncher | None = None,
    rate: Rate = DEFAULT_RATE,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    repository = Repository(sessions)
    context = AppContext(
        settings=settings, sessions=sessions, repository=repository,
        launcher=launcher or build_launcher(settings, repository),
        limiter=build_rate_limiter(settings.redis_url, rate),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await context.launcher.aclose()
            await context.limiter.aclose()
            engine.dispose()

    app = FastAPI(
        title="leadgen API",
        version="1",
        description="Campaigns, the approval queue and the reviewer page of leadgen.",
        lifespan=lifespan,
    )
    app.state.context = context
    # /metrics reports reviewer-vs-qualifier accuracy from this app's database.
    set_accuracy_sources(review=lambda: review_accuracy(sessions))
    app.state.templates = build_templates()
    install_problem_handlers(app)
    app.add_exception_handler(pages.LoginRequired, pages.login_redirect)
    for router in (auth.router, campaigns.router, approvals.router, health.router,
                   unsubscribe.router, pages.router, briefings.router):
        app.include_router(router)
    app.include_router(webhooks.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(RejectNulCharacters)  # inside the size limit: it reads the whole body
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    return app
