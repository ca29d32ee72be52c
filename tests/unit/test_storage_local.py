"""LocalObjectStore specifics, choosing a store from Settings, and page snapshot keys."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from core.errors import InvalidInput
from tools.storage import LocalObjectStore, build_object_store, save_snapshot, snapshot_key
from tools.web.types import Page


def backdate(store: LocalObjectStore, key: str, when: datetime) -> None:
    path = store.root / key
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_delete_older_than_goes_by_modification_time(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    now = datetime.now(UTC)
    for key in ("snapshots/a.example/old.html", "snapshots/b.example/new.html", "exports/c/old.csv"):
        store.put(key, b"x")
    backdate(store, "snapshots/a.example/old.html", now - timedelta(days=40))
    backdate(store, "exports/c/old.csv", now - timedelta(days=40))
    assert store.delete_older_than("snapshots/", now - timedelta(days=30)) == ["snapshots/a.example/old.html"]
    assert [info.key for info in store.list()] == ["exports/c/old.csv", "snapshots/b.example/new.html"]
    # the emptied folder goes too, the store's root stays
    assert not (store.root / "snapshots" / "a.example").exists()
    store.delete("snapshots/b.example/new.html")
    store.delete("exports/c/old.csv")
    assert store.root.is_dir() and list(store.root.iterdir()) == []


def test_file_url_opens_the_same_bytes(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    store.put("reports/weekly report.json", b'{"ok": true}')
    url = store.url("reports/weekly report.json")
    assert url.startswith("file://")
    assert Path(unquote(urlparse(url).path)).read_bytes() == b'{"ok": true}'


def test_half_written_files_are_not_listed(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    store.put("exports/c/results.csv", b"x")
    (store.root / "exports" / "c" / ".tmp-abc").write_bytes(b"partial")
    assert [info.key for info in store.list()] == ["exports/c/results.csv"]


def test_listing_an_empty_store(tmp_path):
    assert list(LocalObjectStore(tmp_path / "never-created").list()) == []


def test_default_store_is_local_under_the_data_dir(settings):
    store = build_object_store(settings)
    assert isinstance(store, LocalObjectStore)
    assert store.root == settings.data_dir / "objects"


def test_paths_and_file_urls_are_local_stores(settings, tmp_path):
    as_path = build_object_store(settings.model_copy(update={"object_store_url": str(tmp_path / "o")}))
    as_url = build_object_store(settings.model_copy(update={"object_store_url": (tmp_path / "o").as_uri()}))
    assert isinstance(as_path, LocalObjectStore) and as_path.root == tmp_path / "o"
    assert isinstance(as_url, LocalObjectStore) and as_url.root == tmp_path / "o"


def test_s3_urls_build_an_s3_store(settings, monkeypatch):
    from tools.storage.s3 import S3ObjectStore

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    store = build_object_store(settings.model_copy(update={
        "object_store_url": "s3://leads-bucket/prod", "s3_endpoint_url": "http://127.0.0.1:9000",
    }))
    assert isinstance(store, S3ObjectStore)
    assert (store.bucket, store.prefix) == ("leads-bucket", "prod/")


def test_unknown_scheme_is_refused(settings):
    with pytest.raises(InvalidInput):
        build_object_store(settings.model_copy(update={"object_store_url": "ftp://host/objects"}))


def test_snapshot_keys_are_per_host_and_fetch_time():
    fetched = datetime(2025, 3, 1, 14, 5, 9, 120000, tzinfo=timezone(timedelta(hours=2)))
    key = snapshot_key("https://WWW.Acme.example/about?x=1", fetched)
    assert key.startswith("snapshots/www.acme.example/")
    assert key.endswith("-20250301T120509120000Z.html")  # stored in UTC
    assert snapshot_key("https://www.acme.example/team", fetched) != key
    with pytest.raises(InvalidInput):
        snapshot_key("https://acme.example/", datetime(2025, 3, 1))


def test_save_snapshot_stores_the_page_html(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    page = Page(url="https://acme.example/", final_url="https://acme.example/", status=200,
                html="<h1>Acme – logistics</h1>")
    key = save_snapshot(store, page, datetime.now(UTC))
    assert store.get(key).decode("utf-8") == "<h1>Acme – logistics</h1>"
