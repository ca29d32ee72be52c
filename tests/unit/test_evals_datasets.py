"""The committed eval datasets: enough cases, labels that match the labelling functions, loadable briefs."""

from __future__ import annotations

from evals.build_datasets import lead_from_truth
from evals.cases import BRIEFS_DIR, load_eval_brief, select_cases
from evals.evaluators import claim_supported
from evals.labels import LABELLERS, expected_fit
from sampleweb.dataset import records_by_domain


def test_every_brief_loads_and_has_a_labeller():
    ids = sorted(p.stem for p in BRIEFS_DIR.glob("*.yaml"))
    assert 4 <= len(ids) <= 6
    assert set(ids) == set(LABELLERS)
    for brief_id in ids:
        assert load_eval_brief(brief_id).offer


def test_qualification_labels_follow_from_the_record():
    cases = select_cases("qualification")
    assert len(cases) >= 150
    records = records_by_domain()
    for case in cases:
        label, _ = expected_fit(case.brief, records[case.domain])
        assert label is case.expected_fit, case.id
    assert {c.expected_fit for c in cases} == {True, False}


def test_three_valued_labels_leave_unknown_facts_out():
    record = {"industry": "Consumer", "subindustry": "Consumer", "tags": [], "regions": [],
              "team_size": None, "is_hiring": None, "one_liner": "", "long_description": ""}
    assert LABELLERS["small_consumer"](record)[0] is None  # size unknown, industry fits
    assert LABELLERS["small_consumer"](record | {"industry": "Fintech"})[0] is False
    assert LABELLERS["small_consumer"](record | {"team_size": 4})[0] is True


def test_crypto_words_in_the_description_exclude_a_fintech():
    base = {"industry": "Fintech", "subindustry": "Fintech", "tags": [], "regions": [], "team_size": 3,
            "is_hiring": False, "one_liner": "Payments for shops", "long_description": ""}
    assert LABELLERS["fintech_no_crypto"](base)[0] is True
    assert LABELLERS["fintech_no_crypto"](base | {"long_description": "Stablecoin rails"})[0] is False


def test_ci_slice_is_small_and_covers_every_kind():
    ci = select_cases("ci")
    assert {c.kind for c in ci} >= {"qualification", "hostile", "copy"}
    assert len(ci) < len(select_cases()) / 5


def test_copy_case_facts_are_stated_on_their_page():
    for case in select_cases("copy"):
        company = case.lead.company
        assert company is not None and company.facts, case.id
        for fact in company.facts:
            assert claim_supported(fact.claim, company.pages[fact.source_url]), (case.id, fact.claim)


def test_copy_cases_are_reproducible_from_ground_truth():
    case = select_cases("copy")[0]
    rebuilt = lead_from_truth(case.lead.company.domain)
    assert rebuilt.company.facts == case.lead.company.facts
