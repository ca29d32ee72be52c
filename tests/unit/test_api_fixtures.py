"""Shared fixtures of the API tests: a migrated database, seeded workspaces, users, leads and a
recording launcher. Imported by the test_api_* modules (no tests here)."""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from api.accounts import create_user
from api.app import create_app
from api.context import get_launcher
from core.db.engine import make_engine, session_factory
from core.db.migrate import upgrade
from core.db.repository import Repository
from core.models import (
    CampaignBrief,
    Claim,
    Company,
    Contact,
    Draft,
    Evidence,
    Lead,
    Qualification,
    Sender,
)
from core.settings import Settings

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-for-api-tests-" + "0123456789abcdef" * 3


class RecordingLauncher:
    """Test double of the CampaignLauncher: records what the API asked for."""

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.resumes: list[tuple[str, dict]] = []

    async def start(self, campaign_id: str) -> None:
        self.starts.append(campaign_id)

    async def resume(self, campaign_id: str, decisions: dict[str, dict]) -> None:
        self.resumes.append((campaign_id, decisions))

    async def aclose(self) -> None:
        return None


def make_brief(name: str = "Robotics outreach") -> CampaignBrief:
    return CampaignBrief(
        name=name, offer="shift scheduling for warehouse teams",
        sender=Sender(name="Dana Example", company="Shiftly", email="dana@shiftly.example",
                      postal_address="12 Harbour Road, Leith EH6 6LX"),
    )


def footer(brief: CampaignBrief) -> str:
    s = brief.sender
    return f"\n--\n{s.name}, {s.company}, {s.postal_address}\nReply 'unsubscribe' to opt out."


def make_lead(domain: str, *, score: int = 80, index: int = 0, brief: CampaignBrief | None = None,
              person: str = "Ada Lovelace") -> Lead:
    """A qualified lead with a company page, a contact and two drafts whose claim the page supports."""
    brief = brief or make_brief()
    about = f"https://{domain}/about"
    team = f"https://{domain}/team"
    fact = f"{domain.split('.')[0].title()} opened a second warehouse in Glasgow"
    email = f"{person.split()[0].lower()}@{domain}"
    company = Company(
        name=domain.split(".")[0].title(), domain=domain, industry="logistics", team_size=120,
        facts=[Evidence(claim=fact, source_url=about)],
        pages={about: f"About us. {fact} this spring. We employ 120 people.",
               team: f"{person}, Head of Operations"},
    )
    drafts = [
        Draft(step=1, subject=f"Scheduling at {company.name}", to_email=email, to_name=person,
              body=f"Hi {person.split()[0]},\n\nI read that {fact}. Shiftly plans shifts for teams "
                   f"like yours.\n\nBest,\nDana{footer(brief)}",
              claims=[Claim(text=fact, source_url=about)]),
        Draft(step=2, subject=f"Following up: scheduling at {company.name}", to_email=email,
              to_name=person, body=f"Hi {person.split()[0]}, a short follow-up.\n\nDana{footer(brief)}",
              flags=["no_claim"]),
    ]
    return Lead(
        url=f"https://{domain}", status="qualified", index=index, company=company,
        contacts=[Contact(name=person, title="Head of Operations", email=email, source_url=team,
                          email_status="found")],
        qualification=Qualification(fit=True, score=score, reasons=["Logistics company, 120 staff"],
                                    evidence=[Evidence(claim="We employ 120 people.", source_url=about)]),
        drafts=drafts,
    )


@dataclass
class Workspace:
    id: str
    name: str
    users: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    campaigns: list[str] = field(default_factory=list)


@dataclass
class World:
    settings: Settings
    repo: Repository
    a: Workspace
    b: Workspace

    def approvals(self, campaign_id: str, status: str | None = "pending"):
        return self.repo.approval_items(campaign_id, status=status)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """One migrated SQLite file per test session; each test gets a copy (migrating is slow)."""
    path = tmp_path_factory.mktemp("api-template") / "api.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    shutil.copyfile(migrated_template, tmp_path / "api.db")
    return f"sqlite:///{tmp_path / 'api.db'}"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Real argon2, with the cheapest parameters: the suite creates and logs in many users."""
    from argon2 import PasswordHasher

    import api.accounts

    monkeypatch.setattr(api.accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def api_settings(settings, db_url) -> Settings:
    return Settings(data_dir=settings.data_dir, database_url=db_url, secret_key=SECRET,
                    jwt_expiry_minutes=5, public_base_url="http://testserver")


def seed_workspace(repo: Repository, sessions, label: str, n_leads: int = 2) -> Workspace:
    tag = uuid.uuid4().hex[:8]
    name = f"{label}-{tag}"
    ws = Workspace(id=repo.ensure_workspace(name), name=name)
    for role in ("admin", "reviewer", "viewer"):
        email = f"{role}-{tag}@{label}.example"
        create_user(sessions, email, PASSWORD, role, name)
        ws.users[role] = email
    brief = make_brief(f"Campaign {label}")
    campaign_id = repo.create_campaign(brief, [f"https://{label}{i}-{tag}.example" for i in range(n_leads)],
                                       workspace_id=ws.id)
    for i in range(n_leads):
        repo.save_lead(campaign_id, make_lead(f"{label}{i}-{tag}.example", score=90 - 10 * i,
                                              index=i, brief=brief))
    repo.set_campaign_status(campaign_id, "awaiting_approval")
    ws.campaigns.append(campaign_id)
    return ws


@pytest.fixture
def world(api_settings) -> World:
    sessions = session_factory(make_engine(api_settings.resolved_database_url))
    repo = Repository(sessions)
    return World(api_settings, repo, seed_workspace(repo, sessions, "alpha"),
                 seed_workspace(repo, sessions, "beta"))


@pytest.fixture
def launcher() -> RecordingLauncher:
    return RecordingLauncher()


@pytest.fixture
def app(api_settings, launcher):
    application = create_app(api_settings)
    application.dependency_overrides[get_launcher] = lambda: launcher
    return application


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_of(html: str) -> str:
    """The CSRF token of a reviewer-page form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def page_login(client: TestClient, world: World, role: str = "reviewer") -> str:
    """Logs a workspace-A user of ``role`` into the reviewer page; returns the queue's CSRF token."""
    page = client.get("/login")
    response = client.post("/login", data={"email": world.a.users[role], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text), "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    return csrf_of(client.get("/queue").text)


@pytest.fixture
def as_role(client, world):
    """Headers of a workspace-A user with the given role (``as_role('viewer')``)."""

    def headers(role: str, workspace: str = "a") -> dict[str, str]:
        return login(client, getattr(world, workspace).users[role])

    return headers
