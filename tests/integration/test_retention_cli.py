"""`leadgen ops retention purge` and `leadgen ops export` on a data dir with a real SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from cli.ops import ops_app
from core.db import Repository, make_engine, migrate, session_factory
from core.db.tables import Contact, LeadRow
from core.models import CampaignBrief, Company, Lead, Sender
from core.models import Contact as ContactModel


@pytest.fixture
def data(settings, monkeypatch):
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(settings.data_dir))
    url = settings.resolved_database_url
    settings.ensure_dirs()
    migrate.upgrade(url)
    engine = make_engine(url)
    repo = Repository(session_factory(engine))
    workspace = repo.ensure_workspace()
    brief = CampaignBrief(name="Q1", offer="Fleet routing",
                          sender=Sender(name="Ana", company="Pipewise", email="ana@pipewise.io",
                                        postal_address="1 Main St, Springfield"))
    campaign = repo.create_campaign(brief, ["https://freight.example/"], workspace_id=workspace)
    repo.save_lead(campaign, Lead(
        url="https://freight.example/", status="qualified",
        company=Company(name="Freight", domain="freight.example"),
        contacts=[ContactModel(name="Jo Park", title="CTO", email="jo@freight.example")],
    ))
    repo.set_campaign_status(campaign, "completed")
    old = datetime.now(UTC) - timedelta(days=100)
    with engine.begin() as conn:
        conn.execute(update(LeadRow).values(created_at=old, updated_at=old))
    yield engine, campaign
    engine.dispose()


def emails(engine) -> list[str | None]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Contact.email)))


def test_purge_dry_run_then_for_real(data):
    engine, _ = data
    runner = CliRunner()
    dry = runner.invoke(ops_app, ["retention", "purge", "--days", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] is True and report["personal"]["contacts"] == 1
    assert emails(engine) == ["jo@freight.example"]

    real = runner.invoke(ops_app, ["retention", "purge", "--days", "30"])
    assert real.exit_code == 0, real.output
    assert json.loads(real.output)["personal"]["leads"] == 1
    assert emails(engine) == [None]


def test_purge_with_default_settings_keeps_personal_data(data):
    engine, _ = data
    result = CliRunner().invoke(ops_app, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["personal"] is None  # LEADGEN_RETENTION_DAYS_PERSONAL=0
    assert emails(engine) == ["jo@freight.example"]


def test_export_writes_to_the_object_store(data, settings):
    _, campaign = data
    result = CliRunner().invoke(ops_app, ["export", campaign, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["key"] == f"exports/{campaign}/results.jsonl"
    assert printed["url"].startswith("file://")
    written = (settings.data_dir / "objects" / printed["key"]).read_text()
    assert json.loads(written)["contacts"][0]["email"] == "jo@freight.example"


def test_export_errors_have_exit_codes(data):
    _, campaign = data
    runner = CliRunner()
    bad_format = runner.invoke(ops_app, ["export", campaign, "--format", "xlsx"])
    assert bad_format.exit_code == 2 and "csv, jsonl" in bad_format.output
    missing = runner.invoke(ops_app, ["export", "00000000-0000-0000-0000-000000000000"])
    assert missing.exit_code == 1 and "not found" in missing.output
