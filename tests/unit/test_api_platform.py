"""Cross-cutting API behaviour: problem details, body size limit, health, metrics, unsubscribe."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.app import create_app
from api.export import to_csv
from core import tokens
from core.models import Lead
from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import SECRET, World


def test_unknown_route_is_a_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {"type": "urn:leadgen:problem:not-found", "title": "Not found",
                               "detail": "Not Found", "status": 404}


def test_unexpected_errors_are_500_without_internals(api_settings):
    app = create_app(api_settings)

    @app.get("/boom")
    async def boom():
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["title"] == "Internal error"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_body_over_one_mebibyte_is_413(client, as_role):
    headers = as_role("reviewer")
    big = b'{"action": "approve", "ids": ["' + b"x" * (1024 * 1024) + b'"]}'
    response = client.post("/api/v1/approvals/bulk", content=big,
                           headers={**headers, "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["status"] == 413

    def chunks():  # no Content-Length: the limit is counted while reading
        for _ in range(20):
            yield b"y" * 65536

    streamed = client.post("/api/v1/approvals/bulk", content=chunks(),
                           headers={**headers, "content-type": "application/json"})
    assert streamed.status_code == 413
    small = client.post("/api/v1/approvals/bulk", json={"action": "approve", "ids": ["nope"]},
                        headers=headers)
    assert small.status_code == 200


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}


def test_readiness_fails_when_the_broker_is_down(api_settings):
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = api_settings.model_copy(update={"broker_url": f"redis://127.0.0.1:{port}/0"})
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["broker"].startswith("error")


def test_metrics_use_route_templates(client, world, as_role):
    # The counters are process-wide (other tests add to them): compare before and after.
    labels = {"method": "GET", "route": "/api/v1/campaigns/{campaign_id}", "status": "200"}
    before = REGISTRY.get_sample_value("leadgen_http_requests_total", labels) or 0.0
    campaign = world.a.campaigns[0]
    client.get(f"/api/v1/campaigns/{campaign}", headers=as_role("viewer"))
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert REGISTRY.get_sample_value("leadgen_http_requests_total", labels) == before + 1
    assert ('leadgen_http_requests_total{method="GET",route="/api/v1/campaigns/{campaign_id}",'
            f'status="200"}} {before + 1}') in text
    assert 'route="unmatched"' in text
    assert campaign not in text
    assert "leadgen_http_request_duration_seconds_bucket" in text


def _sent_message(world: World):
    item = world.approvals(world.a.campaigns[0])[0]
    world.repo.decide(item.id, "approve", "tester")
    message, _ = world.repo.enqueue_outbox(item.id)
    return message


def test_one_click_unsubscribe_suppresses_the_address(client, world):
    message = _sent_message(world)
    token = tokens.sign(message.message_id, SECRET)
    assert not world.repo.is_suppressed(world.a.id, message.to_email)

    page = client.get(f"/u/{token}")
    assert page.status_code == 200 and "<form" in page.text
    assert not world.repo.is_suppressed(world.a.id, message.to_email)  # GET changes nothing

    response = client.post(f"/u/{token}", content="List-Unsubscribe=One-Click",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert world.repo.is_suppressed(world.a.id, message.to_email)
    assert not world.repo.is_suppressed(world.b.id, message.to_email)
    client.post(f"/u/{token}", content="List-Unsubscribe=One-Click",
                headers={"content-type": "application/x-www-form-urlencoded"})
    events = world.repo.events(world.a.id, kind="unsubscribed")
    assert [e.outbox_message_id for e in events] == [message.id]  # a repeat adds nothing


def test_invalid_unsubscribe_tokens_show_the_same_404_page(client, world):
    message = _sent_message(world)
    forged = tokens.sign(message.message_id, "another-secret")
    unknown = tokens.sign("<nobody@example.com>", SECRET)
    pages = [client.post(f"/u/{t}") for t in (forged, unknown, "garbage")]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1
    assert message.to_email not in pages[0].text
    assert not world.repo.is_suppressed(world.a.id, message.to_email)


def test_csv_export_neutralises_formulas():
    lead = Lead(url="=HYPERLINK(\"http://evil\")", status="error", error="@SUM(A1)")
    row = to_csv([lead]).splitlines()[1]
    assert row.startswith("\"'=HYPERLINK") and "'@SUM(A1)" in row
