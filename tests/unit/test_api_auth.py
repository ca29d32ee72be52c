"""API authentication and authorization: JWT checks, roles, API keys, workspace scoping, rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import AUDIENCE
from api.context import get_launcher
from api.rate_limits import Rate
from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import SECRET, World


def _claims(world: World, **overrides) -> dict:
    user = world.repo.user_by_email(world.a.users["admin"])
    now = datetime.now(UTC)
    claims = {"sub": user.id, "ws": user.workspace_id, "role": user.role, "aud": AUDIENCE,
              "iat": now, "exp": now + timedelta(minutes=5)}
    claims.update(overrides)
    return claims


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_grants_access(client, world, as_role):
    response = client.get("/api/v1/campaigns", headers=as_role("viewer"))
    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == world.a.campaigns


def test_token_claims_are_pinned(client, world):
    token = client.post("/api/v1/auth/token", data={"username": world.a.users["reviewer"],
                                                    "password": PASSWORD}).json()["access_token"]  # noqa: F405
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert header["alg"] == "HS256"
    assert claims["role"] == "reviewer" and claims["ws"] == world.a.id
    assert claims["exp"] - claims["iat"] == 5 * 60


def test_wrong_password_is_401_problem(client, world):
    response = client.post("/api/v1/auth/token", data={"username": world.a.users["admin"],
                                                       "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["title"] == "Not authenticated"
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody@x.example", "password": "x"})
    assert unknown.status_code == 401


def test_no_credentials_is_401(client, world):
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "detail", "status"}


def test_expired_token_is_401(client, world):
    past = datetime.now(UTC) - timedelta(hours=1)
    token = jwt.encode(_claims(world, iat=past - timedelta(minutes=5), exp=past), SECRET, algorithm="HS256")
    response = client.get("/api/v1/campaigns", headers=_bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_other_algorithms_are_refused(client, world):
    hs512 = jwt.encode(_claims(world), SECRET, algorithm="HS512")
    assert client.get("/api/v1/campaigns", headers=_bearer(hs512)).status_code == 401
    unsigned = jwt.encode(_claims(world), None, algorithm="none")
    assert client.get("/api/v1/campaigns", headers=_bearer(unsigned)).status_code == 401


def test_wrong_audience_or_secret_is_401(client, world):
    other_aud = jwt.encode(_claims(world, aud="another-api"), SECRET, algorithm="HS256")
    assert client.get("/api/v1/campaigns", headers=_bearer(other_aud)).status_code == 401
    forged = jwt.encode(_claims(world), "not-the-secret-but-long-enough-1234567", algorithm="HS256")
    assert client.get("/api/v1/campaigns", headers=_bearer(forged)).status_code == 401
    sound = jwt.encode(_claims(world), SECRET, algorithm="HS256")
    assert client.get("/api/v1/campaigns", headers=_bearer(sound)).status_code == 200


def test_viewer_cannot_approve(client, world, as_role, launcher):
    item = world.approvals(world.a.campaigns[0])[0]
    response = client.post(f"/api/v1/approvals/{item.id}/approve", headers=as_role("viewer"))
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"
    assert world.repo.get_approval(item.id).status == "pending"
    assert launcher.resumes == []


def test_other_workspace_ids_are_404(client, world, as_role):
    headers = as_role("admin")
    campaign = world.b.campaigns[0]
    item = world.approvals(campaign)[0]
    assert client.get(f"/api/v1/campaigns/{campaign}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/campaigns/{campaign}/pause", headers=headers).status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign}/export", headers=headers).status_code == 404
    assert client.get(f"/api/v1/approvals/{item.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/approvals/{item.id}/approve", headers=headers).status_code == 404
    edit = client.post(f"/api/v1/approvals/{item.id}/edit", json={"subject": "x"}, headers=headers)
    assert edit.status_code == 404
    assert world.repo.get_approval(item.id).status == "pending"
    assert world.repo.get_approval(item.id).draft.subject != "x"


def test_api_keys_lifecycle(client, world, as_role):
    admin = as_role("admin")
    created = client.post("/api/v1/api-keys", json={"name": "crm sync"}, headers=admin)
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["key"].startswith(key["prefix"])
    machine = {"X-API-Key": key["key"]}
    assert client.get("/api/v1/campaigns", headers=machine).status_code == 200

    listed = client.get("/api/v1/api-keys", headers=admin).json()
    assert [k["prefix"] for k in listed] == [key["prefix"]]
    assert "key" not in listed[0]

    assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=admin).json()["revoked_at"]
    assert client.get("/api/v1/campaigns", headers=machine).status_code == 401
    assert client.get("/api/v1/campaigns", headers={"X-API-Key": "lg_made-up"}).status_code == 401


def test_api_keys_are_admin_only(client, world, as_role):
    assert client.post("/api/v1/api-keys", json={"name": "x"}, headers=as_role("reviewer")).status_code == 403
    assert client.get("/api/v1/api-keys", headers=as_role("viewer")).status_code == 403


def test_cookie_session_needs_csrf_header_for_writes(client, world, as_role):
    token = as_role("reviewer")["Authorization"].split()[1]
    item = world.approvals(world.a.campaigns[0])[0]
    client.cookies.set("leadgen_session", token)
    client.cookies.set("leadgen_csrf", "csrf-value")
    assert client.get("/api/v1/approvals").status_code == 200
    assert client.post(f"/api/v1/approvals/{item.id}/approve").status_code == 403
    ok = client.post(f"/api/v1/approvals/{item.id}/approve", headers={"X-CSRF-Token": "csrf-value"})
    assert ok.status_code == 200


def test_rate_limit_per_caller(api_settings, world, launcher):
    app = create_app(api_settings, rate=Rate(per_second=0.001, burst=2))
    app.dependency_overrides[get_launcher] = lambda: launcher
    with TestClient(app) as client:
        reviewer = login(client, world.a.users["reviewer"])  # noqa: F405
        viewer = login(client, world.a.users["viewer"])  # noqa: F405
        assert [client.get("/api/v1/campaigns", headers=reviewer).status_code for _ in range(3)] == [200, 200, 429]
        limited = client.get("/api/v1/campaigns", headers=reviewer)
        assert limited.json()["status"] == 429
        assert int(limited.headers["retry-after"]) > 0
        assert client.get("/api/v1/campaigns", headers=viewer).status_code == 200  # its own bucket
