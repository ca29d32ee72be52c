"""Alembic migrations on SQLite and PostgreSQL: upgrade, downgrade, upgrade again, and no
difference between the migrated schema and the tables in code (``alembic check``)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.db import Base, make_engine, migrate
from core.db.provision import create_database, drop_database

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(request.getfixturevalue("postgres_url"))
    url = base.set(database=f"leadgen_test_{uuid.uuid4().hex[:12]}").render_as_string(
        hide_password=False
    )
    assert create_database(url) is True
    yield url
    drop_database(url)


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


SCRIPT = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
HEAD = SCRIPT.get_current_head()


def test_single_linear_history():
    assert len(SCRIPT.get_heads()) == 1
    revisions = list(SCRIPT.walk_revisions())  # head first, each revising the next one
    assert revisions[-1].down_revision is None
    for newer, older in zip(revisions, revisions[1:], strict=False):
        assert newer.down_revision == older.revision


def test_upgrade_downgrade_upgrade(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # migrations must not depend on the working directory
    application_tables = set(Base.metadata.tables)

    migrate.upgrade(database_url)
    assert migrate.current_revision(database_url) == HEAD
    assert table_names(database_url) == application_tables | {"alembic_version"}
    assert migrate.schema_diff(database_url) == []
    migrate.check(database_url)

    migrate.downgrade(database_url, "base")
    assert migrate.current_revision(database_url) is None
    assert table_names(database_url) == {"alembic_version"}

    migrate.upgrade(database_url)
    assert migrate.schema_diff(database_url) == []
    assert table_names(database_url) == application_tables | {"alembic_version"}


def test_schema_diff_sees_a_missing_index(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_outbox_messages_status_due_at")
    engine.dispose()
    diff = migrate.schema_diff(database_url)
    assert [d[0] for d in diff] == ["add_index"]
    assert diff[0][1].name == "ix_outbox_messages_status_due_at"


def test_alembic_cli_works_from_any_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "LEADGEN_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert migrate.current_revision(url) == HEAD
    assert list(elsewhere.iterdir()) == []


def test_sqlite_engine_settings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    finally:
        engine.dispose()
