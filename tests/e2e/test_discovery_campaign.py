"""A campaign created with a discovery source instead of a company list: the starter
directory is pre-filtered by the ICP, then every company is researched on its own site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.models import Discovery


def test_discovery_model_validates_sources():
    assert Discovery(source="yc").limit == 50
    with pytest.raises(ValueError, match="directory source needs"):
        Discovery(source="directory")
    with pytest.raises(ValueError):
        Discovery(source="crunchbase")


def test_starter_directory_keeps_only_fitting_companies():
    from agents.discovery import BUNDLED_DIRECTORY, company_from_record, starter_directory
    from agents.qualifier import qualify_rules
    from core.briefs import load_brief

    brief = load_brief(Path(__file__).resolve().parents[2] / "cli/data/demo_brief.yaml")
    domains = starter_directory(brief, 1000)
    records = {company_from_record(json.loads(line)).domain: json.loads(line)
               for line in BUNDLED_DIRECTORY.read_text().splitlines() if line.strip()}
    assert 0 < len(domains) < len(records)
    for domain in domains:
        assert qualify_rules(company_from_record(records[domain]), brief).fit
    assert starter_directory(brief, 3) == domains[:3]


@pytest.mark.slow
async def test_campaign_with_discovery_source_researches_what_it_found(tmp_path, monkeypatch):
    from cli.database import ensure_database
    from core.briefs import load_brief
    from core.settings import Settings
    from graph.deps import open_deps
    from graph.runner import CampaignRunner
    from sampleweb.server import SampleWeb

    brief = load_brief(Path(__file__).resolve().parents[2] / "cli/data/demo_brief.yaml")
    with SampleWeb(port=0) as web:
        settings = Settings(data_dir=tmp_path / "data", http_proxy=web.proxy_url, per_host_delay=0.02)
        ensure_database(settings)
        async with open_deps(settings) as deps:
            repo = deps.repository
            campaign_id = repo.create_campaign(
                brief, [], workspace_id=repo.ensure_workspace("default"),
                discovery=Discovery(source="yc", limit=4).model_dump(mode="json"),
            )
            status = await CampaignRunner(settings, deps).start(campaign_id)
            campaign = repo.get_campaign(campaign_id)
            leads = repo.campaign_leads(campaign_id)
    assert len(campaign.inputs) == 4 and campaign.discovery["source"] == "yc"
    assert status in ("awaiting_approval", "completed")
    assert len(leads) == 4
    assert all(lead.status in ("qualified", "disqualified") for lead in leads), [(lead.url, lead.error) for lead in leads]
