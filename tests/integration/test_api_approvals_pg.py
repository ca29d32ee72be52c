"""The approval-queue API tests of tests/unit/test_api_approvals.py, run on PostgreSQL.

One fresh database per module (CREATE DATABASE with a random name, dropped afterwards); every
test seeds its own uniquely named workspaces, so tests share the database but no rows.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from core.db.migrate import upgrade
from tests.unit.test_api_approvals import *  # noqa: F403  (the same tests, collected here again)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_module_url():
    from tests.conftest import require_service

    require_service("127.0.0.1", 5432, "PostgreSQL")
    base = "postgresql://postgres@127.0.0.1:5432"
    name = f"leadgen_api_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(pg_module_url):  # noqa: F811  (replaces the SQLite database of the unit tests)
    return pg_module_url
