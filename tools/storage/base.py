"""The ``ObjectStore`` seam: exports, page snapshots and reports as keyed blobs, local or S3."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable

from core.errors import InvalidInput, LeadgenError

# Top-level prefixes: retention purges each on its own clock.
EXPORTS_PREFIX = "exports/"
SNAPSHOTS_PREFIX = "snapshots/"
REPORTS_PREFIX = "reports/"


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime  # timezone-aware (UTC)


@runtime_checkable
class ObjectStore(Protocol):
    """Blobs by key (``exports/<campaign>/results.csv``). Keys are relative, '/'-separated."""

    def put(
        self, key: str, data: bytes | BinaryIO, content_type: str = "application/octet-stream"
    ) -> str:
        """Store ``data`` (bytes or a binary file) under ``key``; returns the key."""
        ...

    def get(self, key: str) -> bytes:
        """The whole object; raises ``core.errors.NotFound`` when absent."""
        ...

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A readable binary stream, for objects too big to hold in memory."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> bool:
        """Remove the object; False when there was none."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, in key order."""
        ...

    def url(self, key: str, expires_in: int = 3600) -> str:
        """Where a person can download it: a presigned URL (S3) or a file:// URL (local)."""
        ...

    def delete_older_than(self, prefix: str, cutoff: datetime) -> builtins.list[str]:
        """Delete objects under ``prefix`` last modified before ``cutoff``; returns their keys."""
        ...


def check_key(key: str) -> str:
    """A key is relative and never climbs out of its store (no '..', no leading '/')."""
    parts = key.split("/")
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise InvalidInput(f"invalid object key: {key!r}")
    return key


def older_than(objects: Iterator[ObjectInfo], cutoff: datetime) -> list[ObjectInfo]:
    if cutoff.tzinfo is None:
        raise InvalidInput("cutoff must be timezone-aware")
    return [info for info in objects if info.modified < cutoff]


class StorageError(LeadgenError):
    """The object store refused or failed a request (missing bucket, no credentials, ...)."""

    status = 502
    title = "Object store failed"
