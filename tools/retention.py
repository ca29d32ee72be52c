"""The retention run: old cached pages and snapshots deleted, old personal data erased.

Windows come from ``Settings.retention_days_snapshots`` and ``retention_days_personal``
(0 = keep forever). Exports hold contacts, so they follow the personal-data window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.retention import PersonalDataPurge, cutoff_for, purge_personal_data
from core.settings import Settings
from tools.storage.base import EXPORTS_PREFIX, SNAPSHOTS_PREFIX, ObjectStore
from tools.storage.factory import build_object_store
from tools.web.cache import PageCache


@dataclass
class RetentionReport:
    dry_run: bool
    snapshots_cutoff: datetime | None = None
    personal_cutoff: datetime | None = None
    cached_pages: int = 0
    snapshots: list[str] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    personal: PersonalDataPurge | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "snapshots_cutoff": self.snapshots_cutoff.isoformat() if self.snapshots_cutoff else None,
            "personal_cutoff": self.personal_cutoff.isoformat() if self.personal_cutoff else None,
            "cached_pages": self.cached_pages,
            "snapshots": len(self.snapshots),
            "exports": len(self.exports),
            "personal": self.personal.as_dict() if self.personal else None,
        }


def purge(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    dry_run: bool = False,
    store: ObjectStore | None = None,
    page_cache: PageCache | None = None,
) -> RetentionReport:
    """Apply both retention windows as of ``now``; with ``dry_run`` only count."""
    store = store or build_object_store(settings)
    report = RetentionReport(
        dry_run=dry_run,
        snapshots_cutoff=cutoff_for(now, settings.retention_days_snapshots),
        personal_cutoff=cutoff_for(now, settings.retention_days_personal),
    )
    if report.snapshots_cutoff is not None:
        cache = page_cache or PageCache.for_data_dir(settings.data_dir)
        report.cached_pages = cache.purge_older_than(report.snapshots_cutoff.timestamp(), dry_run=dry_run)
        report.snapshots = _expire(store, SNAPSHOTS_PREFIX, report.snapshots_cutoff, dry_run)
    if report.personal_cutoff is not None:
        report.personal = purge_personal_data(sessions, report.personal_cutoff, dry_run=dry_run)
        report.exports = _expire(store, EXPORTS_PREFIX, report.personal_cutoff, dry_run)
    return report


def _expire(store: ObjectStore, prefix: str, cutoff: datetime, dry_run: bool) -> list[str]:
    if dry_run:
        return [info.key for info in store.list(prefix) if info.modified < cutoff]
    return store.delete_older_than(prefix, cutoff)
