"""Bringing the configured database to the current schema before a command uses it."""

from __future__ import annotations

from core.settings import Settings


def ensure_database(settings: Settings) -> None:
    from core.db.migrate import upgrade

    settings.ensure_dirs()
    upgrade(settings.resolved_database_url)
