"""Celery app: the same campaign graph, run out of process by workers.

Tasks are idempotent (acks_late): running one twice continues the LangGraph thread from its
checkpoint and re-uses unique outbox keys, so no work or mail is duplicated.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import unquote, urlsplit

from celery import Celery
from celery.signals import task_postrun

from core.settings import Settings
from tools.tracking.imap import ImapMailbox
from workers.metrics_server import (
    count_task,
    prepare_multiprocess_dir,
    start_metrics_server,
)

log = logging.getLogger(__name__)


# How long a shard whose companies are held by another worker waits before it looks again.
SHARD_RECHECK_SECONDS = 5.0


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
    task_postrun.connect(count_task, weak=False, dispatch_uid="leadgen.worker_task_metrics")

    @app.task(name="leadgen.start_campaign", bind=True, max_retries=3)
    def start_campaign(self, campaign_id: str) -> str:
        """Run a campaign to the approval gate; a large one first fans out as research shards."""
        from workers import shards

        def enqueue_shard(campaign: str, start: int, stop: int) -> None:
            research_shard.apply_async(args=[campaign, start, stop])

        return asyncio.run(shards.start_campaign(Settings(), campaign_id, enqueue_shard))

    @app.task(name="leadgen.research_shard", bind=True, max_retries=None)
    def research_shard(self, campaign_id: str, start: int, stop: int) -> dict:
        """Research inputs [start, stop) of a campaign; the shard that finishes its last company
        starts the campaign graph (which reuses the stored leads) up to the approval gate."""
        from workers import shards

        run_settings = Settings()
        report = asyncio.run(shards.research_shard(run_settings, campaign_id, start, stop))
        if report.phase_finished:
            start_campaign.apply_async(args=[campaign_id])
        elif report.pending:  # held by a worker that may have died: look again once its lease may end
            raise self.retry(countdown=min(SHARD_RECHECK_SECONDS, run_settings.lead_claim_lease_seconds))
        return report.summary()

    @app.task(name="leadgen.resume_campaign", bind=True, max_retries=3)
    def resume_campaign(self, campaign_id: str, decisions: dict | None = None) -> str:
        return asyncio.run(_resume(Settings(), campaign_id, decisions or {}))

    @app.task(name="leadgen.send_due", bind=True)
    def send_due(self) -> dict:
        """Deliver what is due now (scheduled every minute by beat; safe to overlap: sends are claimed)."""
        return asyncio.run(_send_due(Settings()))

    @app.task(name="leadgen.poll_replies", bind=True)
    def poll_replies(self) -> dict:
        """Read new replies and bounces from the IMAP mailbox once (scheduled by beat when
        LEADGEN_IMAP_URL is set): stop or pause sequences, record outcomes in memory."""
        return asyncio.run(poll_reply_mailbox(Settings()))

    app.conf.beat_schedule = {
        "send-due-every-minute": {"task": "leadgen.send_due", "schedule": 60.0},
    }
    if settings.imap_url:
        app.conf.beat_schedule["poll-replies"] = {"task": "leadgen.poll_replies",
                                                  "schedule": settings.imap_poll_seconds}
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


def imap_mailbox(url: str) -> ImapMailbox:
    """``imaps://user:pass@host:993/INBOX`` (``imap://`` without TLS; user and password
    percent-encoded, e.g. ``%40`` for ``@``) as the poller's mailbox."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or parts.username is None:
        raise ValueError("imap_url must look like imaps://user:pass@host:993/INBOX")
    ssl = parts.scheme == "imaps"
    return ImapMailbox(
        host=parts.hostname, port=parts.port or (993 if ssl else 143), user=unquote(parts.username),
        password=unquote(parts.password or ""), folder=unquote(parts.path.lstrip("/")) or "INBOX", ssl=ssl,
    )


async def poll_reply_mailbox(settings: Settings) -> dict:
    """One IMAP poll for the workspace ``settings.imap_workspace``; replies that say something
    about a lead become outcomes in the memory (the learning loop)."""
    from agents.outcomes import close_memory
    from agents.responses import record_reply_outcomes
    from graph.deps import make_repository
    from memory.store import OutcomeMemory
    from tools.tracking.imap import ReplyPoller

    if not settings.imap_url:
        return {"skipped": "LEADGEN_IMAP_URL is not set"}
    repository = make_repository(settings)
    workspace_id = await asyncio.to_thread(repository.ensure_workspace, settings.imap_workspace)
    summary = await ReplyPoller(imap_mailbox(settings.imap_url), repository, workspace_id).poll()
    outcomes = 0
    if summary.results:
        memory = await asyncio.to_thread(OutcomeMemory.from_settings, settings)
        try:
            outcomes = await asyncio.to_thread(record_reply_outcomes, repository, memory, workspace_id,
                                               summary.results)
        finally:
            await asyncio.to_thread(close_memory, memory)
    return {"fetched": summary.fetched, "applied": summary.applied, "duplicates": summary.duplicates,
            "failed": summary.failed, "outcomes": outcomes}


async def _resume(settings: Settings, campaign_id: str, decisions: dict) -> str:
    from graph.deps import open_deps
    from graph.runner import CampaignRunner

    async with open_deps(settings) as deps:
        return await CampaignRunner(settings, deps).resume(campaign_id, decisions)


def start_worker(settings: Settings, *, concurrency: int = 2, beat: bool = False,
                 metrics_port: int | None = None, serve_metrics: bool = True) -> None:
    """Run a worker; ``beat`` also runs the scheduler (send-due every minute) in it — run exactly
    one worker with beat per deployment. Metrics of the main process and every forked child are
    served on ``metrics_port`` (default ``settings.worker_metrics_port``, normally
    WORKER_METRICS_PORT; 0: a free port) unless ``serve_metrics`` is False."""
    if metrics_port is None:
        metrics_port = settings.worker_metrics_port
    if serve_metrics:
        prepare_multiprocess_dir()  # before Celery forks its pool
        try:
            start_metrics_server(metrics_port, redis_url=settings.broker_url, queues=[settings.celery_queue])
        except OSError as exc:  # a busy port costs the metrics, not the worker
            log.error("worker metrics not served on port %s: %s", metrics_port, exc)
    app = make_celery(settings)
    argv = ["worker", "--loglevel", settings.log_level, "--concurrency", str(concurrency), "-Q", settings.celery_queue]
    if beat:
        argv += ["--beat", "--schedule", str(settings.data_dir / "celerybeat-schedule")]
    app.worker_main(argv)
