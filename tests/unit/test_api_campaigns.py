"""Campaign API: create (launcher.start), list with progress, status changes, export."""

from __future__ import annotations

import csv
import io
import json

from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import make_brief


def _new_campaign(client, headers, companies=None):
    return client.post("/api/v1/campaigns", headers=headers, json={
        "brief": make_brief("New campaign").model_dump(mode="json"),
        "companies": companies or ["https://one.example", "two.example", "https://one.example"],
    })


def test_create_campaign_starts_it(client, world, as_role, launcher):
    response = _new_campaign(client, as_role("reviewer"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft" and body["inputs"] == 2  # duplicates removed
    assert launcher.starts == [body["id"]]
    stored = world.repo.get_campaign(body["id"], workspace_id=world.a.id)
    assert stored.inputs == ["https://one.example", "two.example"]
    assert [e.action for e in world.repo.audit_log(object_id=body["id"])] == ["campaign.create"]


def test_create_campaign_validates_the_brief(client, world, as_role, launcher):
    brief = make_brief().model_dump(mode="json")
    brief["sender"]["email"] = "not-an-address"
    brief["surprise"] = 1
    response = client.post("/api/v1/campaigns", json={"brief": brief, "companies": ["a.example"]},
                           headers=as_role("reviewer"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["title"] == "Invalid input" and problem["status"] == 422
    assert "sender" in problem["detail"] and "surprise" in problem["detail"]
    empty = client.post("/api/v1/campaigns", json={"brief": make_brief().model_dump(mode="json"),
                                                   "companies": []}, headers=as_role("reviewer"))
    assert empty.status_code == 422
    assert launcher.starts == []


def test_viewer_cannot_create_campaigns(client, world, as_role, launcher):
    assert _new_campaign(client, as_role("viewer")).status_code == 403
    assert launcher.starts == []


def test_campaign_progress_counts(client, world, as_role):
    campaign = client.get(f"/api/v1/campaigns/{world.a.campaigns[0]}", headers=as_role("viewer")).json()
    assert campaign["status"] == "awaiting_approval"
    assert campaign["counts"]["leads"]["qualified"] == 2
    assert campaign["counts"]["approvals"]["pending"] == 4


def test_pause_resume_cancel(client, world, as_role, launcher):
    headers = as_role("reviewer")
    cid = world.a.campaigns[0]
    assert client.post(f"/api/v1/campaigns/{cid}/resume", headers=headers).status_code == 409
    assert client.post(f"/api/v1/campaigns/{cid}/pause", headers=headers).json()["status"] == "paused"
    assert client.post(f"/api/v1/campaigns/{cid}/resume", headers=headers).json()["status"] == "running"
    assert launcher.starts == [cid]
    assert client.post(f"/api/v1/campaigns/{cid}/cancel", headers=headers).json()["status"] == "cancelled"
    again = client.post(f"/api/v1/campaigns/{cid}/cancel", headers=headers)
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    assert client.post(f"/api/v1/campaigns/{cid}/pause", headers=as_role("viewer")).status_code == 403


def test_export_jsonl_and_csv(client, world, as_role):
    headers = as_role("viewer")
    cid = world.a.campaigns[0]
    jsonl = client.get(f"/api/v1/campaigns/{cid}/export", params={"format": "jsonl"}, headers=headers)
    assert jsonl.status_code == 200
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [line["status"] for line in lines] == ["qualified", "qualified"]
    assert "pages" not in lines[0]["company"]  # internal fields stay out of exports
    exported = client.get(f"/api/v1/campaigns/{cid}/export", params={"format": "csv"}, headers=headers)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["score"] for r in rows] == ["90", "80"]
    assert rows[0]["contact_email"].startswith("ada@")
    bad = client.get(f"/api/v1/campaigns/{cid}/export", params={"format": "xml"}, headers=headers)
    assert bad.status_code == 422
