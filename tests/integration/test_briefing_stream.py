"""The briefing chat over a real HTTP server (uvicorn on 127.0.0.1, PostgreSQL): httpx reads the
Server-Sent Events stream turn by turn until the campaign is created."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
import uvicorn

from api.accounts import create_user
from api.app import create_app
from api.context import get_launcher
from core.db.engine import make_engine, session_factory
from core.db.repository import Repository
from core.settings import Settings
from tests.unit.test_api_fixtures import PASSWORD, SECRET, RecordingLauncher
from tests.unit.test_briefing_api import CHAT

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(postgres_url):
    from tests.conftest import scratch_postgres

    with scratch_postgres("leadgen_briefing") as url:
        yield url


@pytest.fixture
def server(settings, pg_url):
    api_settings = Settings(data_dir=settings.data_dir, database_url=pg_url, secret_key=SECRET,
                            public_base_url="http://127.0.0.1")
    launcher = RecordingLauncher()
    app = create_app(api_settings)
    app.dependency_overrides[get_launcher] = lambda: launcher
    repo = Repository(session_factory(make_engine(pg_url)))
    create_user(repo._sessions, "dana@stream.example", PASSWORD, "reviewer", "stream-workspace")
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not (uv.started and uv.servers):
        if not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", launcher, repo
    uv.should_exit = True
    thread.join(timeout=10)


async def _turn(http: httpx.AsyncClient, path: str, text: str | None) -> tuple[list[str], dict]:
    names: list[str] = []
    deltas: list[str] = []
    final: dict = {}
    body = {"content": text} if text is not None else None
    async with http.stream("POST", path, json=body, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code in (200, 201), await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
                names.append(event)
            elif line.startswith("data: "):
                data = json.loads(line.removeprefix("data: "))
                if event == "delta":
                    deltas.append(data["text"])
                else:
                    final = data
    assert "".join(deltas) == final["reply"]
    return names, final


async def test_briefing_streams_every_turn_until_the_campaign_exists(server):
    base, launcher, repo = server
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        token = (await http.post("/api/v1/auth/token",
                                 data={"username": "dana@stream.example", "password": PASSWORD})).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        names, answer = await _turn(http, "/api/v1/briefings", None)
        assert names[-1] == "message" and names.count("message") == 1 and "delta" in names
        for text in [*CHAT, "go"]:
            names, answer = await _turn(http, f"/api/v1/briefings/{answer['id']}/messages", text)
            assert names[-1] == "message" and set(names[:-1]) == {"delta"}
    assert answer["status"] == "complete" and launcher.starts == [answer["campaign_id"]]
    campaign = repo.get_campaign(answer["campaign_id"])
    assert campaign.brief.sender.email == "dana@evalcraft.example"
    assert len(campaign.inputs) == 2
