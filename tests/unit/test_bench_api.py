"""Smoke test: bench_api seeds approval items, lists and bulk-approves over uvicorn, writes its JSON."""

from __future__ import annotations

import json

import pytest

from bench import bench_api

KEYS = {"list_p50_ms", "list_p95_ms", "bulk_seconds", "bulk_decided", "pending_items"}


def test_api_bench_on_sqlite(tmp_path):
    bench_api.main(["--items", "30", "--bulk", "10", "--pages", "4", "--databases", "sqlite",
                    "--results-dir", str(tmp_path)])
    saved = json.loads((tmp_path / "api.json").read_text())
    run = saved["runs"]["sqlite"]
    assert KEYS <= set(run)
    assert run["pending_items"] == 30 and run["bulk_decided"] == 10
    assert "cpu_count" in saved["machine"]


@pytest.mark.postgres
def test_api_bench_on_postgres(tmp_path, postgres_url):
    server = postgres_url.rsplit("/", 1)[0]
    bench_api.main(["--items", "20", "--bulk", "5", "--pages", "3", "--databases", "postgres",
                    "--postgres-server", server, "--results-dir", str(tmp_path)])
    run = json.loads((tmp_path / "api.json").read_text())["runs"]["postgres"]
    assert KEYS <= set(run)
    assert run["database"] == "postgresql" and run["bulk_decided"] == 5
