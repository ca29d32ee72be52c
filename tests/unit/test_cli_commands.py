"""CLI commands that need no web: users, db, approvals listing (in-process with typer's runner)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.fixture
def env(tmp_path, monkeypatch):
    for key in ("LEADGEN_DATABASE_URL", "LEADGEN_HTTP_PROXY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADGEN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_users_create_makes_workspace_and_refuses_duplicates(env):
    from core.db.repository import Repository
    from core.settings import Settings

    runner = CliRunner()
    ok = runner.invoke(app, ["users", "create", "--email", "rev@acme.test", "--password", "long-enough",
                             "--role", "reviewer", "--workspace", "acme"])
    assert ok.exit_code == 0, ok.output
    repo = Repository.from_url(Settings().resolved_database_url)
    user = repo.user_by_email("rev@acme.test")
    assert user.role == "reviewer"
    assert user.workspace_id == repo.ensure_workspace("acme")

    again = runner.invoke(app, ["users", "create", "--email", "rev@acme.test", "--password", "long-enough"])
    assert again.exit_code == 1 and "exists" in again.output
    bad_role = runner.invoke(app, ["users", "create", "--email", "x@acme.test", "--password", "long-enough",
                                   "--role", "owner"])
    assert bad_role.exit_code == 2 and "role must be" in bad_role.output


def test_db_upgrade_then_downgrade(env):
    runner = CliRunner()
    up = runner.invoke(app, ["db", "upgrade"])
    assert up.exit_code == 0 and "database at head" in up.output
    down = runner.invoke(app, ["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output


def test_worker_without_broker_is_a_clear_error(env, monkeypatch):
    monkeypatch.delenv("LEADGEN_BROKER_URL", raising=False)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2 and "LEADGEN_BROKER_URL" in result.output
