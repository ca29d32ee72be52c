"""How the API starts and wakes campaigns: in this process (background tasks) or via Celery."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from core.db.repository import Repository
from core.settings import Settings

log = logging.getLogger(__name__)


class CampaignLauncher(Protocol):
    async def start(self, campaign_id: str) -> None: ...

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None: ...

    async def aclose(self) -> None: ...


class InProcessLauncher:
    """Runs the campaign graph as asyncio tasks of the API process.

    The request returns at once; tasks are kept (so they are not garbage collected), their
    failures logged, and the runs of one campaign are serialised so two resumes never drive
    the same LangGraph thread at the same time.
    """

    def __init__(self, settings: Settings, repository: Repository) -> None:
        self.settings = settings
        self.repository = repository
        self._tasks: set[asyncio.Task] = set()
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def running(self) -> frozenset[asyncio.Task]:
        return frozenset(self._tasks)

    async def start(self, campaign_id: str) -> None:
        self._spawn(campaign_id, "start", lambda runner: runner.start(campaign_id))

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None:
        self._spawn(campaign_id, "resume", lambda runner: runner.resume(campaign_id, decisions))

    def _spawn(self, campaign_id: str, what: str, call: Callable[..., Awaitable[str]]) -> None:
        task = asyncio.create_task(self._run(campaign_id, call), name=f"campaign-{what}-{campaign_id}")
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(t, campaign_id, what))

    async def _run(self, campaign_id: str, call: Callable[..., Awaitable[str]]) -> str:
        from graph.deps import open_deps
        from graph.runner import CampaignRunner

        lock = self._locks.setdefault(campaign_id, asyncio.Lock())
        async with lock:
            async with open_deps(self.settings, repository=self.repository) as deps:
                return await call(CampaignRunner(self.settings, deps))

    def _finished(self, task: asyncio.Task, campaign_id: str, what: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            log.warning("campaign %s: %s cancelled", campaign_id, what)
        elif task.exception() is not None:
            log.error("campaign %s: %s failed", campaign_id, what, exc_info=task.exception())
        else:
            log.info("campaign %s: %s finished with status %s", campaign_id, what, task.result())

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class CeleryLauncher:
    """Hands campaigns to the workers (``leadgen worker``) through the broker."""

    def __init__(self, settings: Settings) -> None:
        from workers.app import make_celery

        self._celery = make_celery(settings)

    async def start(self, campaign_id: str) -> None:
        await asyncio.to_thread(self._celery.send_task, "leadgen.start_campaign", args=[campaign_id])

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None:
        await asyncio.to_thread(
            self._celery.send_task, "leadgen.resume_campaign", args=[campaign_id, decisions]
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(self._celery.close)


def build_launcher(settings: Settings, repository: Repository) -> CampaignLauncher:
    if settings.broker_url:
        return CeleryLauncher(settings)
    return InProcessLauncher(settings, repository)
