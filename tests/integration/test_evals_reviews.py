"""add-from-reviews: reviewer edits and rejections in a real (SQLite, migrated) database become
review cases, which the suite then runs."""

from __future__ import annotations

import asyncio

from agents.copywriter import write_drafts
from core.db.migrate import upgrade
from core.db.repository import Repository
from core.models import Qualification
from evals.build_datasets import lead_from_truth
from evals.cases import load_cases, load_eval_brief, read_jsonl
from evals.reviews import add_from_reviews
from evals.runner import run_suite


def _seed(url: str) -> tuple[str, str]:
    upgrade(url)
    repo = Repository.from_url(url)
    brief = load_eval_brief("us_devtools_small")  # two steps
    lead = lead_from_truth("tracecat.com")
    q = Qualification(fit=True, score=90)
    drafts = asyncio.run(write_drafts(lead, brief, q))
    lead = lead.model_copy(update={"qualification": q, "drafts": drafts, "status": "qualified"})
    workspace = repo.ensure_workspace("evals")
    campaign = repo.create_campaign(brief, [lead.url], workspace_id=workspace)
    repo.save_lead(campaign, lead)
    first, second = sorted(repo.approval_items(campaign, status=None), key=lambda a: a.draft.step)
    removed = first.draft.body.split("\n\n")[1].strip()  # the paragraph with the company fact
    repo.decide(first.id, "edit", "rev@evals.test", body=first.draft.body.replace(removed, "Quick question."))
    repo.decide(second.id, "reject", "rev@evals.test")
    return removed, second.id


def test_edits_and_rejections_become_review_cases(tmp_path):
    url = f"sqlite:///{tmp_path / 'leadgen.db'}"
    removed, rejected_id = _seed(url)
    out = tmp_path / "datasets" / "review_cases.jsonl"
    assert add_from_reviews(url, out) == 2
    assert add_from_reviews(url, out) == 0  # already exported
    rows = {r["review"]["action"]: r for r in read_jsonl(out)}
    assert set(rows) == {"edit", "reject"}
    edit = rows["edit"]
    assert edit["expect"]["avoid"] and all(s in removed for s in edit["expect"]["avoid"])
    assert edit["review"]["original"]["body"] != edit["review"]["edited"]["body"]
    assert rows["reject"]["id"] == f"r:{rejected_id}"
    assert edit["expect"]["company_name"] == "Tracecat"
    cases = load_cases("review", out.parent)
    assert len(cases) == 2 and all(c.lead.company and c.lead.company.pages for c in cases)

    run = run_suite(slice="review", out_dir=tmp_path / "runs", datasets_dir=out.parent, upload=False)
    assert run.cases == 2
    assert run.metrics["rates"]["review.avoid_rate"]["n"] == 2
    # the rules engine re-drafts with the same fact the reviewer removed: the suite must say so
    assert run.metrics["rates"]["review.avoid_rate"]["value"] < 1.0


def test_an_empty_database_exports_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    out = tmp_path / "review_cases.jsonl"
    assert add_from_reviews(url, out) == 0
    assert out.exists() and read_jsonl(out) == []
