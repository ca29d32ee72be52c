"""Celery app: the same campaign graph, run out of process by workers.

Tasks are idempotent (acks_late): running one twice continues the LangGraph thread from its
checkpoint and re-uses unique outbox keys, so no work or mail is duplicated.
"""

from __future__ import annotations

import asyncio

from celery import Celery

from core.settings import Settings


def make_celery(settings: Settings) -> Celery:
    app = Celery("leadgen", broker=settings.broker_url, backend=None)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.celery_queue,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
    )

    @app.task(name="leadgen.start_campaign", bind=True, max_retries=3)
    def start_campaign(self, campaign_id: str) -> str:
        return asyncio.run(_start(Settings(), campaign_id))

    @app.task(name="leadgen.resume_campaign", bind=True, max_retries=3)
    def resume_campaign(self, campaign_id: str, decisions: dict | None = None) -> str:
        return asyncio.run(_resume(Settings(), campaign_id, decisions or {}))

    @app.task(name="leadgen.send_due", bind=True)
    def send_due(self) -> dict:
        """Deliver what is due now (scheduled every minute by beat; safe to overlap: sends are claimed)."""
        return asyncio.run(_send_due(Settings()))

    app.conf.beat_schedule = {
        "send-due-every-minute": {"task": "leadgen.send_due", "schedule": 60.0},
    }
    return app


async def _send_due(settings: Settings) -> dict:
    from datetime import UTC, datetime

    from agents import sequencer
    from agents.send_policy import SendPolicy
    from graph.deps import make_repository
    from tools.mail.factory import build_mailer

    report = await sequencer.deliver_due(
        make_repository(settings), build_mailer(settings), now=datetime.now(UTC),
        public_base_url=settings.public_base_url, secret_key=settings.secret_key,
        policy=SendPolicy.from_settings(settings),
    )
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}


async def _start(settings: Settings, campaign_id: str) -> str:
    from graph.deps import open_deps
    from graph.runner import CampaignRunner

    async with open_deps(settings) as deps:
        return await CampaignRunner(settings, deps).start(campaign_id)


async def _resume(settings: Settings, campaign_id: str, decisions: dict) -> str:
    from graph.deps import open_deps
    from graph.runner import CampaignRunner

    async with open_deps(settings) as deps:
        return await CampaignRunner(settings, deps).resume(campaign_id, decisions)


def start_worker(settings: Settings, *, concurrency: int = 2, beat: bool = False) -> None:
    """Run a worker; ``beat`` also runs the scheduler (send-due every minute) in it — run exactly
    one worker with beat per deployment."""
    app = make_celery(settings)
    argv = ["worker", "--loglevel", settings.log_level, "--concurrency", str(concurrency), "-Q", settings.celery_queue]
    if beat:
        argv += ["--beat", "--schedule", str(settings.data_dir / "celerybeat-schedule")]
    app.worker_main(argv)
