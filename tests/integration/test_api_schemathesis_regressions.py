"""Regression tests for the 5xx answers the schemathesis run (test_api_schemathesis.py) found,
each pinned to the smallest request that reproduced it."""

from __future__ import annotations

from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import page_login

HUGE = 2**64  # beyond SQLite's INTEGER and PostgreSQL's BIGINT: OffsetError / OverflowError


def test_list_offsets_beyond_64_bits_are_422_not_500(client, as_role):
    headers = as_role("viewer")
    for path in ("/api/v1/campaigns", "/api/v1/approvals"):
        response = client.get(path, params={"offset": HUGE}, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        deepest = client.get(path, params={"offset": 1_000_000_000}, headers=headers)
        assert deepest.status_code == 200, (path, deepest.text)


def test_queue_page_with_a_huge_offset_shows_an_empty_page(client, world):
    page_login(client, world)
    response = client.get("/queue", params={"offset": HUGE})
    assert response.status_code == 200
    assert "item-" not in response.text


def test_nul_characters_are_invalid_input_not_a_database_error(client, as_role):
    """PostgreSQL refuses NUL in text (psycopg DataError → 500); every backend now answers 422."""
    headers = as_role("admin")
    refused = [
        client.post("/api/v1/api-keys", json={"name": "\u0000"}, headers=headers),
        client.post("/api/v1/approvals/bulk", json={"action": "approve", "ids": ["\u0000"]},
                    headers=headers),
        client.get("/api/v1/approvals", params={"campaign_id": "a\x00b"}, headers=headers),
        client.get("/api/v1/approvals/%00", headers=headers),
        client.post("/api/v1/auth/token", data={"username": "x\x00@y.example", "password": "p"}),
    ]
    for response in refused:
        assert response.status_code == 422, (response.request.url, response.text)
        assert "NUL" in response.json()["detail"]
    # An escaped backslash followed by u0000 is six ordinary characters, not NUL.
    created = client.post("/api/v1/api-keys", json={"name": "C:\\u0000"}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "C:\\u0000"
