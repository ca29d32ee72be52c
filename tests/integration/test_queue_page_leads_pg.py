"""The tests of tests/unit/test_queue_page_leads.py (``Repository.leads_by_urls`` and the queue
page reading only its own leads), run on a scratch PostgreSQL database."""

from __future__ import annotations

import pytest

from tests.unit.test_queue_page_leads import *  # noqa: F403  (the same tests, collected here again)

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_url(pg_module_url):  # noqa: F811  (replaces the SQLite database of the unit tests)
    return pg_module_url
