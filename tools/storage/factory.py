"""Choosing the object store from ``Settings``: local files by default, S3 for ``s3://`` URLs."""

from __future__ import annotations

from pathlib import Path

from core.errors import InvalidInput
from core.settings import Settings
from tools.storage.base import ObjectStore
from tools.storage.local import LocalObjectStore


def build_object_store(settings: Settings) -> ObjectStore:
    url = (settings.object_store_url or "").strip()
    if not url:
        return LocalObjectStore(settings.data_dir / "objects")
    if url.startswith("s3://"):
        from tools.storage.s3 import S3ObjectStore  # boto3 is only loaded when S3 is configured

        return S3ObjectStore.from_url(url, endpoint_url=settings.s3_endpoint_url)
    if url.startswith("file://"):
        return LocalObjectStore(Path(url.removeprefix("file://")))
    if "://" not in url:
        return LocalObjectStore(Path(url))
    raise InvalidInput(f"object_store_url must be a path, file:// or s3:// URL, got {url!r}")
