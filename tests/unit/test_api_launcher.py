"""The in-process launcher runs the real CampaignRunner as a background task and logs failures."""

from __future__ import annotations

import asyncio
import logging

from api.launcher import InProcessLauncher, build_launcher
from core.db.engine import make_engine, session_factory
from core.db.repository import Repository
from tests.unit.test_api_fixtures import *  # noqa: F403


async def test_start_returns_at_once_and_a_failed_run_is_logged(api_settings, caplog):
    repo = Repository(session_factory(make_engine(api_settings.resolved_database_url)))
    launcher = build_launcher(api_settings, repo)
    assert isinstance(launcher, InProcessLauncher)
    caplog.set_level(logging.INFO, logger="api.launcher")
    await launcher.start("no-such-campaign")
    tasks = list(launcher.running)
    assert len(tasks) == 1 and not tasks[0].done()
    await asyncio.wait(tasks, timeout=120)
    await asyncio.sleep(0)  # let the done-callback run
    assert launcher.running == frozenset()
    assert any("no-such-campaign: start failed" in r.getMessage() for r in caplog.records)
    await launcher.aclose()
