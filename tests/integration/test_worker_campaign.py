"""A real Celery worker process (Redis broker) runs a campaign created through the API up to
the approval gate; the API process itself runs nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_env(tmp_path, redis_url):
    from sampleweb.server import SampleWeb

    with SampleWeb(port=0) as web:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADGEN_")}
        env.update(
            LEADGEN_DATA_DIR=str(tmp_path / "data"),
            LEADGEN_HTTP_PROXY=web.proxy_url,
            LEADGEN_BROKER_URL=redis_url,
            LEADGEN_CELERY_QUEUE=f"leadgen-test-{uuid.uuid4().hex[:8]}",
            LEADGEN_PER_HOST_DELAY="0.02",
            LANGSMITH_TRACING="false",
            PYTHONPATH=str(ROOT),
        )
        yield env, web


def test_worker_runs_campaign_created_through_api(worker_env, tmp_path, monkeypatch):
    env, web = worker_env
    for key, value in env.items():
        if key.startswith("LEADGEN_"):
            monkeypatch.setenv(key, value)
    from api.accounts import create_user
    from api.app import create_app
    from cli.database import ensure_database
    from core.db.engine import make_engine, session_factory
    from core.settings import Settings

    settings = Settings()
    ensure_database(settings)
    create_user(session_factory(make_engine(settings.resolved_database_url)), "ops@w.test", "pw-123456", "admin", "acme")

    worker = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "worker", "--concurrency", "1"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        with TestClient(create_app(settings)) as client:
            token = client.post("/api/v1/auth/token", data={"username": "ops@w.test", "password": "pw-123456"}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            brief = yaml.safe_load((ROOT / "cli/data/demo_brief.yaml").read_text())
            companies = [site.url for site in web.sites()][:6]
            created = client.post("/api/v1/campaigns", json={"brief": brief, "companies": companies}, headers=headers)
            assert created.status_code == 201, created.text
            campaign_id = created.json()["id"]
            deadline = time.monotonic() + 240
            status = None
            while time.monotonic() < deadline:
                status = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).json()["status"]
                if status in ("awaiting_approval", "completed", "failed"):
                    break
                assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
                time.sleep(1)
            assert status in ("awaiting_approval", "completed"), status
            body = client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).json()
            assert body["counts"]["leads"]["total"] == len(companies)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
