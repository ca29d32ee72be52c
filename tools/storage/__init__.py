"""Object storage for exports, page snapshots and reports: one ``ObjectStore`` seam, local or S3."""

from tools.storage.base import (
    EXPORTS_PREFIX,
    REPORTS_PREFIX,
    SNAPSHOTS_PREFIX,
    ObjectInfo,
    ObjectStore,
    StorageError,
)
from tools.storage.exports import export_campaign, export_key
from tools.storage.factory import build_object_store
from tools.storage.local import LocalObjectStore
from tools.storage.snapshots import save_snapshot, snapshot_key

__all__ = [
    "EXPORTS_PREFIX",
    "REPORTS_PREFIX",
    "SNAPSHOTS_PREFIX",
    "LocalObjectStore",
    "ObjectInfo",
    "ObjectStore",
    "StorageError",
    "build_object_store",
    "export_campaign",
    "export_key",
    "save_snapshot",
    "snapshot_key",
]
