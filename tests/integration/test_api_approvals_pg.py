"""The approval-queue API tests of tests/unit/test_api_approvals.py, run on PostgreSQL.

One fresh database per module (CREATE DATABASE with a random name, dropped afterwards); every
test seeds its own uniquely named workspaces, so tests share the database but no rows.
"""

from __future__ import annotations

import pytest

from tests.unit.test_api_approvals import *  # noqa: F403  (the same tests, collected here again)

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(pg_module_url):  # noqa: F811  (replaces the SQLite database of the unit tests)
    return pg_module_url
