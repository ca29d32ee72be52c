"""Approval queue API pagination: ``next_cursor`` / ``cursor`` walk the queue like ``offset``
does, and a bulk request decides every item in one go."""

from __future__ import annotations

from tests.unit.test_api_fixtures import *  # noqa: F403


def test_cursor_pages_match_offset_pages(client, world, as_role):
    headers = as_role("viewer")
    everything = client.get("/api/v1/approvals", headers=headers).json()
    assert everything["next_cursor"] is None  # fewer items than the limit: the last page
    walked, cursor = [], None
    for _ in range(10):
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/approvals", params=params, headers=headers).json()
        walked += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == [item["id"] for item in everything["items"]]
    assert len(walked) == 4


def test_a_forged_cursor_is_refused(client, world, as_role):
    response = client.get("/api/v1/approvals", params={"cursor": "definitely-not-a-cursor"},
                          headers=as_role("viewer"))
    assert response.status_code == 422
    assert "cursor" in response.text


def test_bulk_decides_every_item_once_and_resumes_each_campaign_once(client, world, as_role, launcher):
    ids = [item["id"] for item in client.get("/api/v1/approvals", headers=as_role("viewer")).json()["items"]]
    response = client.post("/api/v1/approvals/bulk", json={"action": "reject", "ids": ids + ids[:1]},
                           headers=as_role("reviewer"))
    assert response.status_code == 200, response.text
    assert response.json()["decided"] == ids and response.json()["failed"] == []
    assert sorted(c for c, _ in launcher.resumes) == sorted(world.a.campaigns)
    assert sum(len(decisions) for _, decisions in launcher.resumes) == len(ids)
    for approval_id in ids:
        assert [e.action for e in world.repo.audit_log(object_id=approval_id)] == ["approval.reject"]
    assert client.get("/api/v1/approvals", headers=as_role("viewer")).json()["items"] == []
