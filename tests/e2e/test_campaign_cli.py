"""The CLI contract end to end: `leadgen run` on the sample web, then a paused campaign is
resumed from new processes (approve one draft, reject another)."""

from __future__ import annotations

import email
import json
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.conftest import ROOT, leadgen

SCHEMA = json.loads((ROOT / "core/schemas/lead_result.schema.json").read_text())
BRIEF = ROOT / "cli/data/demo_brief.yaml"


def _companies(sample_web, tmp_path: Path, n: int, extra: list[str] = ()) -> Path:
    urls = [site.url for site in sample_web.sites()][:n] + list(extra)
    path = tmp_path / "companies.txt"
    path.write_text("# sample companies\n\n" + "\n".join(urls) + "\n")
    return path


def _read_results(path: Path) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    return lines


def _outbox(data_dir: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted((data_dir / "outbox").glob("*.eml"))]


def _repository(env: dict):
    from core.db.repository import Repository
    from core.settings import Settings

    settings = Settings(data_dir=Path(env["LEADGEN_DATA_DIR"]), database_url=env.get("LEADGEN_DATABASE_URL"))
    return Repository.from_url(settings.resolved_database_url)


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_run_pause_and_resume_in_new_processes(database, tmp_path, sample_web, cli_env, request):
    if database == "postgres":
        cli_env["LEADGEN_DATABASE_URL"] = request.getfixturevalue("pg_database")
    companies = _companies(sample_web, tmp_path, 12, extra=["http://nonexistent-company.invalid/"])
    out = tmp_path / "results.jsonl"
    # The proxy comes from --proxy here (the other tests use LEADGEN_HTTP_PROXY).
    proxy = cli_env.pop("LEADGEN_HTTP_PROXY")

    # Process 1: research, qualify, write; the campaign pauses at the approval gate.
    leadgen(
        "run", "--brief", str(BRIEF), "--companies", str(companies), "--out", str(out), "--proxy", proxy,
        env=cli_env, cwd=tmp_path,
    )
    cli_env["LEADGEN_HTTP_PROXY"] = proxy

    results = _read_results(out)
    inputs = [ln for ln in companies.read_text().splitlines() if ln and not ln.startswith("#")]
    assert [r["url"] for r in results] == inputs  # one line per input, input order
    assert results[-1]["status"] == "error" and results[-1]["error"]
    assert any(r["status"] == "qualified" for r in results), [(r["url"], r["qualification"]) for r in results]
    assert any(r["status"] == "disqualified" for r in results)

    repo = _repository(cli_env)
    campaign = repo.list_campaigns(repo.ensure_workspace("default"))[0]
    assert campaign.status == "awaiting_approval"
    pending = [i for i in repo.approval_items(campaign.id, limit=1000) if i.contact and i.contact.email]
    first_touch = [i for i in pending if i.draft.step == 1]
    assert len(first_touch) >= 2, pending
    approve, reject = first_touch[0], first_touch[1]

    # Processes 2 and 3: decisions resume the paused LangGraph thread from its checkpoint.
    leadgen("approvals", "approve", approve.id, env=cli_env, cwd=tmp_path)
    leadgen("approvals", "reject", reject.id, env=cli_env, cwd=tmp_path)

    messages = _outbox(Path(cli_env["LEADGEN_DATA_DIR"]))
    recipients = [m["To"] for m in messages]
    assert sum(approve.contact.email in r for r in recipients) == 1, recipients
    assert not any(reject.contact.email in r for r in recipients), recipients
    sent = next(m for m in messages if approve.contact.email in m["To"])
    assert sent["Subject"] == approve.draft.subject
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Message-ID"]

    outbox = repo.outbox_for_campaign(campaign.id)
    assert [(o.to_email, o.step, o.status) for o in outbox if o.step == 1] == [(approve.contact.email, 1, "sent")]
    assert {approve.id, reject.id}.isdisjoint({i.id for i in repo.approval_items(campaign.id, limit=1000)})
    assert repo.get_campaign(campaign.id).status == "awaiting_approval"  # other drafts still wait


def test_invalid_brief_names_the_field_and_exits_2(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(tmp_path / "data"))
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF.read_text().replace("sequence_steps: 2", "sequence_steps: 2\nbudget: 10"))
    companies = tmp_path / "c.txt"
    companies.write_text("example.com\n")
    result = CliRunner().invoke(app, ["run", "--brief", str(brief), "--companies", str(companies)])
    assert result.exit_code == 2
    assert "budget" in result.output and "unknown field" in result.output

    brief.write_text("name: x\noffer: a thing\nsender: {name: A}\n")
    result = CliRunner().invoke(app, ["run", "--brief", str(brief), "--companies", str(companies)])
    assert result.exit_code == 2
    assert "sender.email" in result.output
    assert not (tmp_path / "results.jsonl").exists()


def test_missing_companies_file_is_a_clear_error(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["run", "--brief", str(BRIEF), "--companies", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "cannot read companies file" in result.output


@pytest.mark.slow
def test_demo_no_serve_exits_zero(tmp_path, cli_env):
    proc = leadgen("demo", "--no-serve", "--companies", "6", env=cli_env, cwd=tmp_path)
    assert "qualified" in proc.stdout
    assert (Path(cli_env["LEADGEN_DATA_DIR"]) / "demo-results.jsonl").exists()
