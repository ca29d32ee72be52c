"""`leadgen run`: one campaign from a brief and a company list up to the approval gate."""

from __future__ import annotations

import asyncio
import sys
from typing import IO

from cli.database import ensure_database  # noqa: F401  (re-exported for callers)
from cli.results import OrderedResultWriter, Progress, unique_inputs
from core.models import CampaignBrief, Lead
from core.settings import Settings
from graph.deps import open_deps
from graph.runner import CampaignRunner


async def run_to_gate(
    settings: Settings,
    brief: CampaignBrief,
    lines: list[str],
    out: IO[str],
    *,
    workspace: str = "default",
    show_progress: bool = True,
) -> tuple[str, list[Lead], str]:
    """Create a campaign, run it to the approval gate, stream results. Returns
    (campaign id, leads in unique-input order, campaign status)."""
    unique, mapping = unique_inputs(lines)
    writer = OrderedResultWriter(out, lines, mapping)
    progress = Progress(len(unique)) if show_progress else None
    leads: dict[int, Lead] = {}

    def on_lead(lead: Lead) -> None:
        leads[lead.index] = lead
        writer.add(lead)
        if progress:
            progress.update(lead)

    async with open_deps(settings) as deps:
        repo = deps.repository
        workspace_id = await asyncio.to_thread(repo.ensure_workspace, workspace)
        campaign_id = await asyncio.to_thread(
            repo.create_campaign, brief, unique, workspace_id=workspace_id, engine=deps.engine
        )
        if progress:
            print(
                f"leadgen: campaign {campaign_id}: {len(unique)} companies, engine={deps.engine}",
                file=sys.stderr,
            )
        status = await CampaignRunner(settings, deps).start(campaign_id, on_lead=on_lead)
    if progress:
        progress.close()
    return campaign_id, [leads[i] for i in sorted(leads)], status
