"""The reviewer web page over HTTP: login with CSRF, campaign list, queue with evidence, form decisions."""

from __future__ import annotations

from tests.unit.test_api_fixtures import *  # noqa: F403
from tests.unit.test_api_fixtures import PASSWORD, csrf_of, page_login


def test_pages_need_login(client):
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/queue"


def test_login_needs_the_csrf_token_and_the_right_password(client, world):
    client.get("/login")
    missing = client.post("/login", data={"email": world.a.users["reviewer"], "password": PASSWORD})
    assert missing.status_code == 403
    page = client.get("/login")
    wrong = client.post("/login", data={"email": world.a.users["reviewer"], "password": "nope",
                                        "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text


def test_login_sets_an_http_only_same_site_session_cookie(client, world):
    page = client.get("/login")
    response = client.post("/login", data={"email": world.a.users["reviewer"], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text), "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = response.headers.get_list("set-cookie")
    assert any("leadgen_session=" in c and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)


def test_login_never_redirects_off_site(client, world):
    page = client.get("/login")
    response = client.post("/login", data={"email": world.a.users["viewer"], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text), "next": "//evil.example/x"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"


def test_queue_shows_draft_beside_its_evidence(client, world):
    page_login(client, world)
    html = client.get("/queue").text
    item = world.approvals(world.a.campaigns[0])[0]
    assert f'id="item-{item.id}"' in html
    assert item.draft.subject in html
    assert 'href="https://alpha0-' in html and '/about"' in html  # claim linked to its source
    assert "Logistics company, 120 staff" in html  # qualification reasons
    assert "no claim" in html  # the follow-up's guard flag
    assert "Keyboard shortcuts" in html
    assert world.b.campaigns[0] not in html
    campaigns = client.get("/").text
    assert "Campaign alpha" in campaigns and "Campaign beta" not in campaigns


def test_form_decisions_need_csrf_and_call_the_launcher(client, world, launcher):
    csrf = page_login(client, world)
    item = world.approvals(world.a.campaigns[0])[0]
    refused = client.post(f"/queue/{item.id}/approve", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    edited = client.post(f"/queue/{item.id}/edit", data={"csrf_token": csrf, "subject": "New subject",
                                                         "body": "Short body"})
    assert "missing opt out" in edited.text or "missing_opt_out" in edited.text
    assert world.repo.get_approval(item.id).draft.subject == "New subject"
    approved = client.post(f"/queue/{item.id}/approve", data={"csrf_token": csrf})
    assert approved.status_code == 200 and "Approved." in approved.text
    assert f'id="item-{item.id}"' not in approved.text
    assert launcher.resumes == [(item.campaign_id, {item.id: {"action": "approve"}})]

    rest = [i.id for i in world.approvals(world.a.campaigns[0])]
    bulk = client.post("/queue/bulk", data={"csrf_token": csrf, "action": "approve", "ids": rest})
    assert "Approved 3." in bulk.text
    assert world.approvals(world.a.campaigns[0]) == []


def test_viewer_sees_the_queue_without_buttons(client, world, launcher):
    csrf = page_login(client, world, "viewer")
    html = client.get("/queue").text
    assert "Approve <kbd>" not in html
    item = world.approvals(world.a.campaigns[0])[0]
    assert client.post(f"/queue/{item.id}/approve", data={"csrf_token": csrf}).status_code == 403
    assert launcher.resumes == []


def test_logout_clears_the_session(client, world):
    csrf = page_login(client, world)
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/queue", follow_redirects=False).status_code == 303
