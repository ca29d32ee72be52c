"""Property-based test of the HTTP API: schemathesis generates requests from the app's own OpenAPI
document and no operation may answer with a 5xx, whether its ids are random or real seeded ones.

The app is the real one (a migrated SQLite or PostgreSQL database, a seeded workspace, an
authenticated admin), except the launcher: a recording double, so fuzzed campaigns never crawl."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client

from api.accounts import create_user, new_api_key
from api.app import create_app
from api.rate_limits import Rate
from core.db.engine import make_engine, session_factory
from core.db.migrate import upgrade
from core.db.provision import create_database, drop_database
from core.db.repository import Repository
from core.settings import Settings
from tests.unit.test_api_fixtures import PASSWORD, SECRET, RecordingLauncher, seed_workspace

MAX_EXAMPLES = 25
# Fuzzing one user hard must not be answered with 429s, which would hide the operations' code.
UNLIMITED = Rate(per_second=1_000_000.0, burst=1_000_000)


@dataclass
class FuzzTarget:
    headers: dict[str, str]
    ids: dict[str, itertools.cycle]  # path parameter name -> real ids of the caller's workspace

    def real(self, name: str) -> str | None:
        cycle = self.ids.get(name)
        return next(cycle) if cycle else None


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh migrated database; PostgreSQL matters here: it refuses values SQLite stores."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    else:
        base = request.getfixturevalue("postgres_url")
        url = base.rsplit("/", 1)[0] + f"/leadgen_fuzz_{uuid.uuid4().hex[:10]}"
        create_database(url)
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def settings_for_fuzz(settings, database_url) -> Settings:
    return Settings(data_dir=settings.data_dir, database_url=database_url, secret_key=SECRET,
                    jwt_expiry_minutes=60, public_base_url="http://testserver")


@pytest.fixture
def fuzz_setup(settings_for_fuzz) -> Iterator[tuple[FastAPI, FuzzTarget]]:
    app = create_app(settings_for_fuzz, launcher=RecordingLauncher(), rate=UNLIMITED)
    engine = make_engine(settings_for_fuzz.resolved_database_url)
    sessions = session_factory(engine)
    repo = Repository(sessions)
    ws = seed_workspace(repo, sessions, "fuzz", n_leads=8)
    create_user(sessions, "fuzz-admin@fuzz.example", PASSWORD, "admin", ws.name)
    key, _ = new_api_key(repo, ws.id, "fuzzer key", None)
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/token", data={
            "username": "fuzz-admin@fuzz.example", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        briefing = client.post("/api/v1/briefings", headers=headers, json={
            "content": "We sell payroll software to fintech companies in France"}).json()["id"]
    approvals = [a.id for a in repo.approval_items(ws.campaigns[0], status=None, limit=1000)]
    ids = {"campaign_id": ws.campaigns, "approval_id": approvals, "key_id": [key.id],
           "briefing_id": [briefing]}
    yield app, FuzzTarget(headers, {k: itertools.cycle(v) for k, v in ids.items()})
    engine.dispose()


def _fuzz(operation, target: FuzzTarget, mode: GenerationMode, client: ASGIClient) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    def check(case) -> None:
        response = case.call(session=client, headers=target.headers)
        case.validate_response(response, checks=[not_a_server_error], headers=target.headers)
        # Again on objects that exist: generated ids alone would only ever reach the 404s.
        real = {name: target.real(name) for name in (case.path_parameters or {})}
        if real and all(real.values()):
            case.path_parameters = {**case.path_parameters, **real}
            response = case.call(session=client, headers=target.headers)
            case.validate_response(response, checks=[not_a_server_error], headers=target.headers)

    check()


# schemathesis' own pytest integration (`from_fixture` + `parametrize`) breaks on pytest 9 (it
# sets `Function._nodeid`), so each operation runs as a plain Hypothesis test over its strategy.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid-requests", "invalid-requests"])
def test_no_operation_answers_5xx(fuzz_setup, mode: GenerationMode):
    app, target = fuzz_setup
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    fuzzed = []
    with get_client(app) as client:
        for result in schema.get_all_operations():
            operation = result.ok()
            try:
                _fuzz(operation, target, mode, client)
            except Unsatisfiable:
                # Only in invalid-requests mode: nothing of this operation can be made invalid
                # (no body, no constrained parameter); the valid-requests run covers it.
                assert mode is GenerationMode.NEGATIVE, operation.label
                continue
            except Exception as exc:  # one operation's failure must not hide the others'
                failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")
            fuzzed.append(operation.label)
    assert len(fuzzed) >= (20 if mode is GenerationMode.POSITIVE else 8), fuzzed
    assert not failures, "\n\n".join(failures)
