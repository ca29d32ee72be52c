"""What every ObjectStore does, run on LocalObjectStore here and on S3 (a local S3 server) in
tests/integration/test_storage_s3.py by overriding the ``store`` fixture."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import InvalidInput, NotFound
from tools.storage import LocalObjectStore, ObjectStore


@pytest.fixture
def store(tmp_path) -> ObjectStore:
    return LocalObjectStore(tmp_path / "objects")


def test_is_an_object_store(store):
    assert isinstance(store, ObjectStore)


def test_put_then_get_bytes(store):
    assert store.put("reports/q3/summary.json", b'{"sent": 3}', "application/json") == "reports/q3/summary.json"
    assert store.get("reports/q3/summary.json") == b'{"sent": 3}'
    assert store.exists("reports/q3/summary.json")


def test_put_a_file_streams_it(store):
    payload = bytes(range(256)) * 4096  # 1 MiB, not text
    store.put("snapshots/big.bin", io.BytesIO(payload))
    with store.open("snapshots/big.bin") as stream:
        first = stream.read(1000)
        rest = stream.read()
    assert first + rest == payload


def test_put_overwrites(store):
    store.put("exports/c/results.csv", b"old")
    store.put("exports/c/results.csv", b"new")
    assert store.get("exports/c/results.csv") == b"new"
    assert [info.key for info in store.list("exports/")] == ["exports/c/results.csv"]


def test_missing_objects(store):
    assert not store.exists("exports/none.csv")
    with pytest.raises(NotFound):
        store.get("exports/none.csv")
    with pytest.raises(NotFound):
        store.open("exports/none.csv")
    assert store.delete("exports/none.csv") is False


def test_delete(store):
    store.put("snapshots/a.html", b"<p>a</p>")
    assert store.delete("snapshots/a.html") is True
    assert not store.exists("snapshots/a.html")
    assert list(store.list()) == []


def test_list_by_prefix_in_key_order_with_sizes(store):
    for key in ("snapshots/b.example/2.html", "exports/c1/results.csv", "snapshots/a.example/1.html"):
        store.put(key, key.encode())
    listed = list(store.list("snapshots/"))
    assert [info.key for info in listed] == ["snapshots/a.example/1.html", "snapshots/b.example/2.html"]
    assert [info.size for info in listed] == [len(info.key) for info in listed]
    assert all(info.modified.tzinfo is not None for info in listed)
    assert [info.key for info in store.list("exports/")] == ["exports/c1/results.csv"]
    assert len(list(store.list())) == 3


def test_delete_older_than_only_touches_the_prefix_and_the_old(store):
    store.put("snapshots/a.html", b"a")
    store.put("exports/c/results.csv", b"c")
    now = datetime.now(UTC)
    assert store.delete_older_than("snapshots/", now - timedelta(hours=1)) == []
    assert store.delete_older_than("snapshots/", now + timedelta(hours=1)) == ["snapshots/a.html"]
    assert not store.exists("snapshots/a.html")
    assert store.exists("exports/c/results.csv")


def test_delete_older_than_needs_an_aware_cutoff(store):
    store.put("snapshots/a.html", b"a")
    with pytest.raises(InvalidInput):
        store.delete_older_than("snapshots/", datetime(2020, 1, 1))


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../escape", "a/../../b", "a//b", "a\\b", "./a", "a/"])
def test_keys_never_leave_the_store(store, key):
    with pytest.raises(InvalidInput):
        store.put(key, b"x")
    with pytest.raises(InvalidInput):
        store.get(key)


def test_url_points_at_the_object(store):
    store.put("exports/c/results.jsonl", b"{}\n")
    url = store.url("exports/c/results.jsonl")
    assert "exports/c/results.jsonl" in url
