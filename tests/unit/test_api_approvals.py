"""Approval queue API: list, approve, reject, edit (guard re-check), bulk; audit rows and resumes."""

from __future__ import annotations

from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import World


def _audit_actions(world: World, approval_id: str) -> list[str]:
    return [entry.action for entry in world.repo.audit_log(object_id=approval_id)]


def test_list_pending_items_has_draft_company_contact_and_flags(client, world, as_role):
    response = client.get("/api/v1/approvals", headers=as_role("viewer"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 4  # 2 leads x 2 steps, only workspace A
    assert {i["campaign_id"] for i in items} == set(world.a.campaigns)
    first = items[0]
    assert first["status"] == "pending"
    assert first["score"] == 90
    assert first["company"]["domain"].startswith("alpha0-")
    assert first["contact"]["email"].startswith("ada@alpha0-")
    assert first["draft"]["step"] == 1
    assert first["draft"]["claims"][0]["source_url"].endswith("/about")
    assert set(first) >= {"id", "campaign_id", "status", "score", "flags", "company", "contact", "draft"}
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_list_filters_by_campaign_and_pages(client, world, as_role):
    headers = as_role("viewer")
    page = client.get("/api/v1/approvals", params={"limit": 1, "offset": 1}, headers=headers).json()
    assert len(page["items"]) == 1 and page["offset"] == 1
    other = client.get("/api/v1/approvals", params={"campaign_id": world.b.campaigns[0]}, headers=headers)
    assert other.json()["items"] == []  # another workspace's campaign shows nothing


def test_confidence_sort_puts_unflagged_first(client, world, as_role):
    items = client.get("/api/v1/approvals", params={"sort": "confidence"},
                       headers=as_role("viewer")).json()["items"]
    flags = [len(i["flags"]) for i in items]
    assert flags == sorted(flags)


def test_approve_records_audit_and_resumes_the_campaign(client, world, as_role, launcher):
    item = world.approvals(world.a.campaigns[0])[0]
    response = client.post(f"/api/v1/approvals/{item.id}/approve", headers=as_role("reviewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_by"] == world.a.users["reviewer"]
    assert world.repo.get_approval(item.id).approved_subject == item.draft.subject
    assert _audit_actions(world, item.id) == ["approval.approve"]
    assert launcher.resumes == [(item.campaign_id, {item.id: {"action": "approve"}})]
    pending = client.get("/api/v1/approvals", headers=as_role("viewer")).json()["items"]
    assert item.id not in {i["id"] for i in pending}


def test_reject_then_approve_is_a_conflict(client, world, as_role, launcher):
    item = world.approvals(world.a.campaigns[0])[1]
    headers = as_role("reviewer")
    assert client.post(f"/api/v1/approvals/{item.id}/reject", headers=headers).json()["status"] == "rejected"
    again = client.post(f"/api/v1/approvals/{item.id}/approve", headers=headers)
    assert again.status_code == 409
    assert again.json()["title"] == "Conflict"
    assert _audit_actions(world, item.id) == ["approval.reject"]
    assert launcher.resumes == [(item.campaign_id, {item.id: {"action": "reject"}})]


def test_edit_rechecks_with_the_guard_and_stores_flags(client, world, as_role, launcher):
    item = world.approvals(world.a.campaigns[0])[0]
    assert item.flags == []
    headers = as_role("reviewer")
    # The edited body drops the footer: no opt-out, no postal address, no sender identity.
    response = client.post(f"/api/v1/approvals/{item.id}/edit",
                           json={"subject": "Quick question", "body": "Hi Ada, can we talk?"},
                           headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "pending"
    assert body["draft"]["subject"] == "Quick question"
    assert {"missing_opt_out", "missing_postal_address"} <= set(body["flags"])
    stored = world.repo.get_approval(item.id)
    assert stored.flags == body["flags"]
    assert stored.draft.body == "Hi Ada, can we talk?"
    assert _audit_actions(world, item.id) == ["approval.edit"]
    assert launcher.resumes == []  # an edit is not a decision: the item stays pending

    fixed = item.draft.body.replace("Shiftly plans", "Shiftly, run by people who care, plans")
    clean = client.post(f"/api/v1/approvals/{item.id}/edit", json={"body": fixed}, headers=headers)
    assert clean.json()["flags"] == []
    assert world.repo.get_approval(item.id).flags == []


def test_edit_needs_content(client, world, as_role):
    item = world.approvals(world.a.campaigns[0])[0]
    response = client.post(f"/api/v1/approvals/{item.id}/edit", json={}, headers=as_role("reviewer"))
    assert response.status_code == 422
    assert response.json()["status"] == 422


def test_bulk_by_ids_resumes_once_per_campaign_and_reports_foreign_ids(client, world, as_role, launcher):
    mine = [i.id for i in world.approvals(world.a.campaigns[0])]
    foreign = world.approvals(world.b.campaigns[0])[0].id
    response = client.post("/api/v1/approvals/bulk",
                           json={"action": "approve", "ids": [*mine, foreign]},
                           headers=as_role("reviewer"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["decided"] == mine
    assert [(f["id"], f["status"]) for f in body["failed"]] == [(foreign, 404)]
    assert launcher.resumes == [(world.a.campaigns[0], {i: {"action": "approve"} for i in mine})]
    assert all(_audit_actions(world, i) == ["approval.approve"] for i in mine)
    assert world.repo.get_approval(foreign).status == "pending"


def test_bulk_by_filter_honours_score_and_flags(client, world, as_role, launcher):
    headers = as_role("reviewer")
    response = client.post("/api/v1/approvals/bulk", json={
        "action": "reject",
        "filter": {"campaign_id": world.a.campaigns[0], "min_score": 85, "unflagged_only": True},
    }, headers=headers)
    body = response.json()
    # Only the first lead scores >= 85, and only its step-1 draft has no flags.
    assert len(body["decided"]) == 1
    decided = world.repo.get_approval(body["decided"][0])
    assert (decided.score, decided.draft.step, decided.status) == (90, 1, "rejected")
    assert len(launcher.resumes) == 1


def test_bulk_needs_exactly_one_selector(client, as_role):
    response = client.post("/api/v1/approvals/bulk", json={"action": "approve"},
                           headers=as_role("reviewer"))
    assert response.status_code == 422
    assert response.json()["title"] == "Invalid input"
