"""Page snapshots in the object store: the fetched HTML of a page, kept as evidence of a claim."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

from core.errors import InvalidInput
from tools.storage.base import SNAPSHOTS_PREFIX, ObjectStore
from tools.web.types import Page


def snapshot_key(url: str, fetched_at: datetime) -> str:
    """``snapshots/<host>/<sha256(url)[:16]>-<UTC timestamp>.html``: one key per fetch."""
    if fetched_at.tzinfo is None:
        raise InvalidInput("fetched_at must be timezone-aware")
    host = (urlsplit(url).hostname or "unknown").lower().strip(".") or "unknown"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return f"{SNAPSHOTS_PREFIX}{host}/{digest}-{fetched_at.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.html"


def save_snapshot(store: ObjectStore, page: Page, fetched_at: datetime) -> str:
    """Store the page body; returns its key (keep it next to the evidence that cites the page)."""
    content_type = page.content_type or "text/html"
    if "charset" not in content_type:
        content_type += "; charset=utf-8"
    return store.put(snapshot_key(page.url, fetched_at), page.html.encode("utf-8"), content_type)
