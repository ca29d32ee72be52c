"""Scale-out of one large campaign: its companies split into research shards that any worker runs
with the campaign's own lead pipeline, each company claimed before it is researched so none is
researched twice; the shard that finishes the last company hands the campaign back to its graph."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from core.settings import Settings

log = logging.getLogger(__name__)

EnqueueShard = Callable[[str, int, int], None]


def shard_ranges(total: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) input ranges of at most ``size`` companies covering ``total`` inputs."""
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def worker_name() -> str:
    """Who holds a claim: host and process (a Celery worker's pool child)."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class ShardReport:
    researched: list[str] = field(default_factory=list)  # claimed and run through the pipeline here
    skipped: list[str] = field(default_factory=list)  # finished already, or held by another worker
    pending: list[str] = field(default_factory=list)  # of this shard, not finished when it ended
    phase_finished: bool = False  # this shard finished the campaign's lead phase

    def summary(self) -> dict:
        return {"researched": len(self.researched), "skipped": len(self.skipped),
                "pending": len(self.pending), "phase_finished": self.phase_finished}


async def start_campaign(settings: Settings, campaign_id: str, enqueue_shard: EnqueueShard) -> str:
    """Run a campaign up to the approval gate, or, when it has more companies than
    ``settings.shard_size`` and its lead phase is not finished, enqueue its research shards.

    Shards are (re-)enqueued on every call until the phase is finished: a duplicate shard costs a
    few claim look-ups, a lost one would stall the campaign."""
    from graph.deps import make_repository, open_deps
    from graph.runner import CampaignRunner

    repository = make_repository(settings)
    campaign = await asyncio.to_thread(repository.get_campaign, campaign_id)
    phase = await asyncio.to_thread(repository.lead_phase, campaign_id)
    if len(campaign.inputs) <= settings.shard_size or (phase is not None and phase.finished):
        async with open_deps(settings, repository=repository) as deps:
            return await CampaignRunner(settings, deps).start(campaign_id)
    ranges = shard_ranges(len(campaign.inputs), settings.shard_size)
    await asyncio.to_thread(repository.set_campaign_status, campaign_id, "running")
    await asyncio.to_thread(repository.begin_lead_phase, campaign_id, len(ranges))
    for start, stop in ranges:
        enqueue_shard(campaign_id, start, stop)
    log.info("campaign %s: %d companies in %d research shards", campaign_id, len(campaign.inputs), len(ranges))
    return "running"


async def research_shard(settings: Settings, campaign_id: str, start: int, stop: int,
                         *, worker: str | None = None) -> ShardReport:
    """Research inputs [start, stop) of a campaign through the lead pipeline (research → qualify →
    write → save), ``settings.company_concurrency`` at a time, claiming each company first."""
    from graph.deps import make_repository, open_deps

    repository = make_repository(settings)
    async with open_deps(settings, repository=repository) as deps:
        return await run_shard(settings, deps, campaign_id, start, stop, worker=worker or worker_name())


async def run_shard(settings: Settings, deps, campaign_id: str, start: int, stop: int,
                    *, worker: str) -> ShardReport:
    """:func:`research_shard` with the graph's ``Deps`` given (``deps.repository`` holds the claims)."""
    from graph.build import build_lead_graph

    repository = deps.repository
    campaign = await asyncio.to_thread(repository.get_campaign, campaign_id)
    deps = await asyncio.to_thread(deps.for_campaign, campaign_id)  # every shard spends one budget
    brief = campaign.brief.model_dump(mode="json")
    urls = list(campaign.inputs)[start:stop]
    pipeline = build_lead_graph()
    limit = asyncio.Semaphore(max(1, settings.company_concurrency))
    report = ShardReport()

    async def one(index: int, url: str) -> None:
        async with limit:
            claimed = await asyncio.to_thread(
                repository.claim_lead, campaign_id, url, index, worker,
                lease_seconds=settings.lead_claim_lease_seconds,
            )
            if not claimed:
                report.skipped.append(url)
                return
            try:
                await pipeline.ainvoke(
                    {"campaign_id": campaign_id, "brief": brief, "url": url, "index": index},
                    context=deps,
                )
            except BaseException:
                await asyncio.to_thread(repository.release_claim, campaign_id, url, worker)
                raise
            await asyncio.to_thread(repository.finish_claim, campaign_id, url)
            report.researched.append(url)

    try:
        async with asyncio.TaskGroup() as tasks:  # one failure cancels (and releases) the rest
            for offset, url in enumerate(urls):
                tasks.create_task(one(start + offset, url))
    except ExceptionGroup as group:
        # Like the graph: a pipeline that raises (site problems never do) fails the campaign;
        # starting it again re-runs the unfinished companies only.
        exc = group.exceptions[0]
        log.error("campaign %s: research shard [%d, %d) failed", campaign_id, start, stop, exc_info=exc)
        await asyncio.to_thread(
            repository.set_campaign_status, campaign_id, "failed", f"{type(exc).__name__}: {exc}"
        )
        raise exc from group
    report.pending = await asyncio.to_thread(repository.unfinished_urls, campaign_id, urls)
    if not report.pending:
        report.phase_finished = await asyncio.to_thread(repository.finish_lead_phase, campaign_id, worker)
    return report
