"""`leadgen experiments create|report|promote` on a migrated SQLite file (settings from LEADGEN_*)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from cli.experiments import experiments_app
from core.db import Repository
from core.models import CampaignBrief, Sender


def test_create_report_promote(settings, monkeypatch):
    url = f"sqlite:///{settings.data_dir / 'cli.db'}"
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LEADGEN_DATABASE_URL", url)
    app = typer.Typer()
    app.add_typer(experiments_app, name="experiments")
    runner = CliRunner()
    assert runner.invoke(app, ["experiments", "report", "missing"]).exit_code != 0  # also migrates the file
    repo = Repository.from_url(url)
    campaign = repo.create_campaign(CampaignBrief(name="c", offer="Managed pipelines", sender=Sender(
        name="Ana", company="Pipewise", email="ana@pipewise.io", postal_address="1 Main St, Springfield")), [],
        workspace_id=repo.ensure_workspace("default"))

    bad = runner.invoke(app, ["experiments", "create", campaign, "--arm", "A=copywriter/first_touch@v9",
                              "--arm", "B=copywriter/follow_up@v1"])
    assert bad.exit_code != 0
    same = runner.invoke(app, ["experiments", "create", campaign, "--arm", "A=copywriter/first_touch@v1",
                               "--arm", "B=copywriter/follow_up@v1:2"])
    assert same.exit_code != 0 and "same prompts" in same.output  # both are the v1 defaults
    # Only v1 templates exist: arm B's explicit role points the first touch at another template.
    arm_b = json.dumps({"name": "B", "prompts": {"first_touch": "copywriter/follow_up@v1"}, "weight": 2})
    created = runner.invoke(app, ["experiments", "create", campaign, "--arm", "A=copywriter/first_touch@v1",
                                  "--arm", arm_b, "--holdout", "0.2", "--min-sends", "5"])
    assert created.exit_code == 0, created.output
    exp_id = created.output.strip()
    stored = repo.get_experiment(exp_id)
    assert stored.holdout_share == 0.2 and [a["weight"] for a in stored.arms] == [1.0, 2.0]

    shown = runner.invoke(app, ["experiments", "report", exp_id, "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["decision"]["action"] == "keep_running"
    promoted = runner.invoke(app, ["experiments", "promote", exp_id, "--actor", "ana@pipewise.io"])
    assert promoted.exit_code == 1  # nothing sent yet: keep running
    assert json.loads(promoted.output)["action"] == "keep_running"
    assert any(e.action == "experiment.keep_running" and e.actor == "ana@pipewise.io" for e in repo.audit_log())
