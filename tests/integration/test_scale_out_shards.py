"""Research shards in one process against the sample web: two shards over the same companies (a
re-delivered task next to the original) fetch each company once between them, exactly one of them
finishes the lead phase, and the campaign graph afterwards reuses the stored leads without a fetch."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

import yaml

from core.models import CampaignBrief
from core.settings import Settings
from graph.deps import make_repository, open_deps
from graph.runner import CampaignRunner
from workers.shards import run_shard, shard_ranges

DEMO_BRIEF = Path(__file__).resolve().parents[2] / "cli/data/demo_brief.yaml"


class CountingFetcher:
    """The real fetcher, with a count of home-page requests per URL."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.homes: Counter[str] = Counter()
        self.requests = 0

    async def fetch(self, url: str, *, render: bool | None = None):
        self.requests += 1
        self.homes[url] += 1
        return await self.inner.fetch(url, render=render)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_shard_ranges_cover_every_input_once():
    assert shard_ranges(5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert shard_ranges(4, 50) == [(0, 4)]
    assert shard_ranges(0, 3) == []


async def test_duplicate_shards_split_companies_and_the_graph_reuses_their_leads(tmp_path, monkeypatch):
    from cli.database import ensure_database
    from sampleweb.server import SampleWeb

    for key in [k for k in os.environ if k.startswith("LEADGEN_")]:
        monkeypatch.delenv(key)
    with SampleWeb(port=0) as web:
        settings = Settings(data_dir=tmp_path / "data", http_proxy=web.proxy_url, browser=False,
                            per_host_delay=0.02, page_budget=2, company_concurrency=4, page_cache=False)
        ensure_database(settings)
        repo = make_repository(settings)
        urls = [site.url for site in web.sites()][:16]
        brief = CampaignBrief.model_validate(yaml.safe_load(DEMO_BRIEF.read_text()))
        campaign_id = repo.create_campaign(brief, urls, workspace_id=repo.ensure_workspace("shards"))
        assert repo.begin_lead_phase(campaign_id, 1)

        async with open_deps(settings, repository=repo) as one, open_deps(
                settings, repository=make_repository(settings)) as two:
            one.fetcher, two.fetcher = CountingFetcher(one.fetcher), CountingFetcher(two.fetcher)
            first, second = await asyncio.gather(
                run_shard(settings, one, campaign_id, 0, len(urls), worker="w1"),
                run_shard(settings, two, campaign_id, 0, len(urls), worker="w2"),
            )
            homes = one.fetcher.homes + two.fetcher.homes

            assert sorted(first.researched + second.researched) == sorted(urls)
            assert all(homes[url] == 1 for url in urls), {u: homes[u] for u in urls if homes[u] != 1}
            assert [first.phase_finished, second.phase_finished].count(True) == 1
            # A shard that ended while the other still held a company reports it pending (its task
            # would look again later); the shard that ended last finished the phase.
            finisher, other = (first, second) if first.phase_finished else (second, first)
            assert not finisher.pending and set(other.pending) <= set(finisher.researched)
            claims = repo.lead_claims(campaign_id)
            assert len(claims) == len(urls) and all(c.finished and c.attempts == 1 for c in claims)

            before = one.fetcher.requests
            status = await CampaignRunner(settings, one).start(campaign_id)
            assert status == "awaiting_approval"
            assert one.fetcher.requests == before  # every lead came from the store: nothing fetched
        leads = repo.campaign_leads(campaign_id)
        assert [lead.url for lead in leads] == urls
        assert repo.campaign_counts(campaign_id)["leads"]["total"] == len(urls)
