"""The review queue tests of tests/unit/test_approval_queue.py, run on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import make_url

from core.db.provision import create_database, drop_database
from tests.unit.test_approval_queue import *  # noqa: F403  (the same tests, collected here again)

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(postgres_url):  # noqa: F811  (overrides the SQLite database of the unit tests)
    url = make_url(postgres_url).set(database=f"leadgen_test_{uuid.uuid4().hex[:12]}")
    rendered = url.render_as_string(hide_password=False)
    create_database(rendered)
    yield rendered
    drop_database(rendered)
