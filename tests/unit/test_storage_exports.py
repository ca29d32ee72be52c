"""export_campaign: a campaign's leads from a migrated SQLite database into the object store."""

from __future__ import annotations

import csv
import io
import json

import pytest

from core.db import Repository, make_engine, migrate, session_factory
from core.errors import InvalidInput, NotFound
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
    Signal,
)
from tools.storage import LocalObjectStore, export_campaign


@pytest.fixture
def repo(tmp_path):
    url = f"sqlite:///{tmp_path / 'leadgen.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield Repository(session_factory(engine))
    engine.dispose()


@pytest.fixture
def store(tmp_path):
    return LocalObjectStore(tmp_path / "objects")


def brief() -> CampaignBrief:
    return CampaignBrief(
        name="Q3", offer="Route planning for fleets",
        sender=Sender(name="Ana Ruiz", company="Pipewise", email="ana@pipewise.io",
                      postal_address="1 Main St, Springfield"),
    )


def qualified() -> Lead:
    source = "https://freight.example/about"
    return Lead(
        url="https://freight.example/", index=0, status="qualified",
        company=Company(
            name="Freight Co", domain="freight.example", industry="logistics", country="DE",
            locations=["Berlin", "Hamburg"], team_size=120, is_hiring=True,
            description="=HYPERLINK(\"http://evil.example\")",  # text from an untrusted page
            signals=[Signal(kind="hiring", text="Hiring 3 drivers", source_url=source)],
            pages={source: "internal page text"},
        ),
        contacts=[
            Contact(name="Jo Park", title="CTO", email="jo@freight.example", source_url=source),
            Contact(email="ops@freight.example", email_status="role"),
        ],
        qualification=Qualification(fit=True, score=82, reasons=["industry match"],
                                    evidence=[Evidence(claim="Runs 40 trucks", source_url=source)]),
        drafts=[
            Draft(step=1, subject="Routes, Jo", body="Hi Jo,\nshort note.",
                  claims=[Claim(text="Runs 40 trucks", source_url=source)], to_email="jo@freight.example"),
            Draft(step=2, subject="Following up", body="Any thoughts?"),
        ],
    )


def failed() -> Lead:
    return Lead(url="https://down.example/", index=1, status="error", error="fetch timeout")


@pytest.fixture
def campaign(repo) -> str:
    workspace = repo.ensure_workspace("team")
    campaign_id = repo.create_campaign(brief(), ["https://freight.example/", "https://down.example/"],
                                       workspace_id=workspace)
    repo.save_lead(campaign_id, qualified())
    repo.save_lead(campaign_id, failed())
    return campaign_id


def test_jsonl_is_the_public_result_line_of_each_lead(repo, store, campaign):
    key = export_campaign(repo, store, campaign, "jsonl")
    assert key == f"exports/{campaign}/results.jsonl"
    lines = [json.loads(line) for line in store.get(key).decode().splitlines()]
    assert lines == [qualified().result_line(), failed().result_line()]
    assert "pages" not in lines[0]["company"]  # internal fields stay out


def test_csv_has_one_flat_row_per_lead(repo, store, campaign):
    key = export_campaign(repo, store, campaign, "csv")
    assert key == f"exports/{campaign}/results.csv"
    rows = list(csv.DictReader(io.StringIO(store.get(key).decode("utf-8"))))
    assert len(rows) == 2
    row = rows[0]
    assert row["url"] == "https://freight.example/"
    assert (row["status"], row["fit"], row["score"]) == ("qualified", "true", "82")
    assert (row["company_name"], row["domain"], row["team_size"]) == ("Freight Co", "freight.example", "120")
    assert row["locations"] == "Berlin; Hamburg"
    assert row["signals"] == "hiring: Hiring 3 drivers (https://freight.example/about)"
    assert row["evidence"] == "Runs 40 trucks (https://freight.example/about)"
    assert row["contacts"] == "Jo Park, CTO <jo@freight.example>; ops@freight.example"
    assert row["contact_emails"] == "jo@freight.example; ops@freight.example"
    assert row["draft_1_subject"] == "Routes, Jo"
    assert row["draft_1_body"] == "Hi Jo,\nshort note."
    assert row["draft_2_body"] == "Any thoughts?"
    assert list(rows[0])[-4:] == ["draft_1_subject", "draft_1_body", "draft_2_subject", "draft_2_body"]
    assert (rows[1]["status"], rows[1]["error"], rows[1]["draft_1_body"]) == ("error", "fetch timeout", "")


def test_csv_never_starts_a_cell_with_a_formula(repo, store, campaign):
    rows = list(csv.DictReader(io.StringIO(store.get(export_campaign(repo, store, campaign, "csv")).decode())))
    assert rows[0]["description"] == "'=HYPERLINK(\"http://evil.example\")"


def test_exporting_again_replaces_the_file(repo, store, campaign):
    export_campaign(repo, store, campaign, "jsonl")
    repo.save_lead(campaign, Lead(url="https://third.example/", index=2, status="disqualified"))
    key = export_campaign(repo, store, campaign, "jsonl")
    assert len(store.get(key).decode().splitlines()) == 3
    assert [info.key for info in store.list("exports/")] == [key]


def test_unknown_format_and_campaign(repo, store, campaign):
    with pytest.raises(InvalidInput):
        export_campaign(repo, store, campaign, "xlsx")
    with pytest.raises(NotFound):
        export_campaign(repo, store, "00000000-0000-0000-0000-000000000000", "csv")
    other_workspace = repo.ensure_workspace("someone-else")
    with pytest.raises(NotFound):
        export_campaign(repo, store, campaign, "csv", workspace_id=other_workspace)
