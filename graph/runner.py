"""Start and resume campaigns: the one service the CLI, the API and the workers call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from langgraph.types import Command

from core import metrics
from core.errors import InvalidInput
from core.models import Lead
from core.settings import Settings
from graph.build import build_campaign_graph, open_checkpointer
from graph.deps import Deps

log = logging.getLogger(__name__)

LeadCallback = Callable[[Lead], Awaitable[None] | None]


class CampaignRunner:
    """Runs the campaign graph for campaigns stored in the repository.

    ``thread_id`` of the LangGraph thread is the campaign's ``thread_id`` column, so any
    process with the same database and checkpointer can pick a campaign up. Each run gets the
    campaign's stored LLM budget (``Deps.for_campaign``): a resumed, restarted or sharded campaign
    spends one budget, not one per process.
    """

    def __init__(self, settings: Settings, deps: Deps) -> None:
        self.settings = settings
        self.deps = deps

    def _config(self, thread_id: str) -> dict[str, Any]:
        return {
            "configurable": {"thread_id": thread_id},
            "max_concurrency": self.settings.company_concurrency,
            "recursion_limit": 10_000,
        }

    async def start(self, campaign_id: str, on_lead: LeadCallback | None = None) -> str:
        """Run (or continue) a campaign up to the approval gate. Returns the new status."""
        repo = self.deps.repository
        campaign = await asyncio.to_thread(repo.get_campaign, campaign_id)
        await asyncio.to_thread(repo.set_campaign_status, campaign_id, "running")
        try:
            if not campaign.inputs and campaign.discovery:
                campaign = await self._discover(campaign)
            deps = await asyncio.to_thread(self.deps.for_campaign, campaign_id)
            async with open_checkpointer(self.settings) as saver:
                graph = build_campaign_graph(saver)
                config = self._config(campaign.thread_id)
                existing = await graph.aget_state(config)
                stream_input: Any
                if existing.values:  # started before: continue where it stopped
                    if not existing.next:
                        return await self._finish(graph, config, campaign_id)
                    stream_input = Command(resume={}) if existing.interrupts else None
                else:
                    stream_input = {
                        "campaign_id": campaign_id,
                        "brief": campaign.brief.model_dump(mode="json"),
                        "inputs": list(campaign.inputs),
                    }
                await self._drive(graph, stream_input, config, deps, on_lead)
                return await self._finish(graph, config, campaign_id)
        except Exception as exc:
            log.exception("campaign %s failed", campaign_id)
            await asyncio.to_thread(
                repo.set_campaign_status, campaign_id, "failed", f"{type(exc).__name__}: {exc}"
            )
            raise

    async def _discover(self, campaign):
        """Find the companies of a campaign that named a discovery source instead of a list."""
        from agents.discovery import discover
        from core.models import Discovery

        repo = self.deps.repository
        urls = await discover(
            Discovery.model_validate(campaign.discovery), campaign.brief,
            fetcher=self.deps.fetcher, settings=self.settings,
        )
        if not urls:
            raise InvalidInput(f"discovery ({campaign.discovery['source']}) found no companies for this brief")
        await asyncio.to_thread(repo.set_campaign_inputs, campaign.id, urls)
        log.info("campaign %s: discovery found %d companies", campaign.id, len(urls))
        return await asyncio.to_thread(repo.get_campaign, campaign.id)

    async def resume(self, campaign_id: str, decisions: dict[str, dict] | None = None) -> str:
        """Wake a campaign paused at approval; decisions are read from the approval queue."""
        repo = self.deps.repository
        campaign = await asyncio.to_thread(repo.get_campaign, campaign_id)
        async with open_checkpointer(self.settings) as saver:
            graph = build_campaign_graph(saver)
            config = self._config(campaign.thread_id)
            state = await graph.aget_state(config)
            if not state.next:
                return campaign.status  # not paused (still running elsewhere, or finished)
            await asyncio.to_thread(repo.set_campaign_status, campaign_id, "sending")
            deps = await asyncio.to_thread(self.deps.for_campaign, campaign_id)
            await self._drive(graph, Command(resume={"decisions": decisions or {}}), config, deps, None)
            return await self._finish(graph, config, campaign_id)

    async def _drive(self, graph, stream_input, config, deps: Deps, on_lead: LeadCallback | None) -> None:
        async for namespace, update in graph.astream(
            stream_input, config, context=deps, stream_mode="updates", subgraphs=True
        ):
            if namespace or on_lead is None:
                continue
            for lead_dict in (update.get("lead") or {}).get("leads", []):
                result = on_lead(Lead.model_validate(lead_dict))
                if asyncio.iscoroutine(result):
                    await result

    async def _finish(self, graph, config, campaign_id: str) -> str:
        state = await graph.aget_state(config)
        status = "awaiting_approval" if state.next else "completed"
        if status == "completed":
            metrics.clear_budget(campaign_id)  # the budget gauge covers running campaigns only
        await asyncio.to_thread(self.deps.repository.set_campaign_status, campaign_id, status)
        return status
