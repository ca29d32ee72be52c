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


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_run_pause_and_resume_in_new_processes(database, tmp_path, sample_web, cli_env, request):
    if database == "postgres":
        cli_env["LEADGEN_DATABASE_URL"] = request.getfixturevalue("pg_database")
    companies = _companies(sample_web, tmp_path, 16, extra=["http://nonexistent-company.invalid/"])
    out = tmp_path / "results.jsonl"
    # The proxy comes from --proxy here (the other tests use LEADGEN_HTTP_PROXY).
    proxy = cli_env.pop("LEADGEN_HTTP_PROXY")

    leadgen(
        "run", "--brief", str(BRIEF), "--companies", str(companies), "--out", str(out), "--proxy", proxy,
        env=cli_env, cwd=tmp_path,
    )
    cli_env["LEADGEN_HTTP_PROXY"] = proxy

    results = _read_results(out)
    inputs = [ln for ln in companies.read_text().splitlines() if ln and not ln.startswith("#")]
    assert [r["url"] for r in results] == inputs  # one line per input, input order
    assert results[-1]["status"] == "error" and results[-1]["error"]
    qualified = [r for r in results if r["status"] == "qualified"]
    assert len(qualified) >= 2, [(r["url"], r["status"], r["qualification"]) for r in results]
    assert any(r["status"] == "disqualified" for r in results)

    listing = leadgen("approvals", "list", env=cli_env, cwd=tmp_path).stdout.splitlines()
    ids = [line.split()[0] for line in listing if "step=1" in line and "to=-" not in line]
    assert len(ids) >= 2, listing
    approve_id, reject_id = ids[0], ids[1]

    leadgen("approvals", "approve", approve_id, env=cli_env, cwd=tmp_path)
    leadgen("approvals", "reject", reject_id, env=cli_env, cwd=tmp_path)
    # Approving again is idempotent: still exactly one message.
    leadgen("approvals", "approve", approve_id, env=cli_env, cwd=tmp_path)

    approved_line = next(line for line in listing if line.startswith(approve_id))
    rejected_line = next(line for line in listing if line.startswith(reject_id))
    to_approved = approved_line.split("to=")[1].split()[0]
    to_rejected = rejected_line.split("to=")[1].split()[0]

    messages = _outbox(Path(cli_env["LEADGEN_DATA_DIR"]))
    recipients = [m["To"] for m in messages]
    assert sum(to_approved in r for r in recipients) == 1, recipients
    assert not any(to_rejected in r for r in recipients), recipients
    sent = next(m for m in messages if to_approved in m["To"])
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["Message-ID"]

    remaining = leadgen("approvals", "list", env=cli_env, cwd=tmp_path).stdout
    assert approve_id not in remaining and reject_id not in remaining


def test_invalid_brief_names_the_field_and_exits_2(tmp_path, cli_env):
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF.read_text().replace("sequence_steps: 2", "sequence_steps: 2\nbudget: 10"))
    companies = tmp_path / "c.txt"
    companies.write_text("example.com\n")
    proc = leadgen("run", "--brief", str(brief), "--companies", str(companies), env=cli_env, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "budget" in proc.stderr and "unknown field" in proc.stderr

    brief.write_text("name: x\noffer: a thing\nsender: {name: A}\n")
    proc = leadgen("run", "--brief", str(brief), "--companies", str(companies), env=cli_env, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "sender.email" in proc.stderr
    assert not (tmp_path / "results.jsonl").exists()


def test_missing_companies_file_is_a_clear_error(tmp_path, cli_env):
    proc = leadgen("run", "--brief", str(BRIEF), "--companies", str(tmp_path / "nope.txt"), env=cli_env, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "cannot read companies file" in proc.stderr


@pytest.mark.slow
def test_demo_no_serve_exits_zero(tmp_path, cli_env):
    proc = leadgen("demo", "--no-serve", "--companies", "12", env=cli_env, cwd=tmp_path)
    assert "qualified" in proc.stdout
    assert (Path(cli_env["LEADGEN_DATA_DIR"]) / "demo-results.jsonl").exists()
