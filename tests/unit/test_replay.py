"""Replay: ranking metrics on a hand-computed example, and current vs candidate qualifiers on the
synthetic sample-web outcomes fixture (tests/fixtures/replay/outcomes.jsonl)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from agents.qualifier import qualify_rules
from evals.corpus import record_for
from evals.labels import expected_fit
from evals.replay import (
    ReplayCase,
    average_precision,
    ndcg,
    qualifier_scorer,
    rank,
    read_outcomes_jsonl,
    replay,
    replay_main,
    write_outcomes_jsonl,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "replay" / "outcomes.jsonl"


def case(domain: str, outcome: str, score: float | None) -> ReplayCase:
    return ReplayCase(lead_id=domain, domain=domain, outcome=outcome, current_score=score)


# Ranked by current score: a(none) b(positive) c(none) d(replied) e(none) f(positive).
TINY = [case("a.example", "none", 90), case("b.example", "positive", 80), case("c.example", "none", 70),
        case("d.example", "replied", 60), case("e.example", "none", 50), case("f.example", "positive", 40)]


def test_metrics_on_a_hand_computed_ranking():
    report = replay(TINY, lambda c: c.current_score, ks=(1, 2, 4))
    m = report.current
    assert report.relevant == 3 and report.positive == 2
    assert m.precision_at == {1: 0.0, 2: 0.5, 4: 0.5}
    assert m.recall_at == {1: 0.0, 2: pytest.approx(1 / 3), 4: pytest.approx(2 / 3)}
    # relevant at ranks 2, 4, 6: (1/2 + 2/4 + 3/6) / 3
    assert m.average_precision == pytest.approx(0.5)
    # gains 0,2,0,1,0,2 -> DCG = 3/log2(3) + 1/log2(5) + 3/log2(7); ideal 2,2,1 -> 3 + 3/log2(3) + 1/2
    dcg = 3 / math.log2(3) + 1 / math.log2(5) + 3 / math.log2(7)
    assert m.ndcg == pytest.approx(dcg / (3 + 3 / math.log2(3) + 0.5))
    assert m.ndcg_at[1] == 0.0
    assert report.candidate == m and all(v == 0 for v in report.delta.values())


def test_a_perfect_candidate_beats_the_current_ranking():
    oracle = {"positive": 2, "replied": 1, "none": 0}
    report = replay(TINY, lambda c: oracle[c.outcome], ks=(3,))
    assert report.candidate.average_precision == 1.0 and report.candidate.ndcg == pytest.approx(1.0)
    assert report.candidate.precision_at[3] == 1.0
    assert report.delta["average_precision"] == pytest.approx(0.5)


def test_ranking_is_deterministic_and_puts_missing_scores_last():
    cases = [case("b.example", "none", 5), case("a.example", "none", 5), case("c.example", "none", None)]
    assert rank(cases, [5, 5, None]) == [1, 0, 2]
    assert average_precision([False, False]) is None and ndcg([0, 0]) is None


def test_async_scorer_is_refused_by_the_sync_replay():
    async def score(c):
        return 1.0

    with pytest.raises(TypeError, match="areplay"):
        replay(TINY, score)


@pytest.fixture(scope="module")
def fixture_cases() -> list[ReplayCase]:
    return read_outcomes_jsonl(FIXTURE)


def test_fixture_is_sample_web_companies_with_realistic_reply_rates(fixture_cases):
    assert len(fixture_cases) > 150
    replied = sum(c.outcome != "none" for c in fixture_cases)
    assert 0.03 < replied / len(fixture_cases) < 0.2  # cold e-mail reply rates
    assert all(c.company is not None and c.brief is not None for c in fixture_cases)
    assert len({c.campaign_id for c in fixture_cases}) == 5


def test_same_qualifier_reproduces_the_recorded_ranking(fixture_cases):
    report = replay(fixture_cases, qualifier_scorer(qualify_rules))
    assert report.current == report.candidate
    assert report.ap_delta_ci == (0.0, 0.0)


def test_replay_tells_a_better_and_a_worse_qualifier_apart(fixture_cases):
    def truth(c: ReplayCase) -> float:  # a qualifier that knew the true fit, score as tie-break
        fit = expected_fit(c.campaign_id.removeprefix("replay-"), record_for(c.domain))[0]
        return {True: 200, None: 100, False: 0}[fit] + c.current_score

    better = replay(fixture_cases, truth)
    worse = replay(fixture_cases, lambda c: -c.current_score)
    assert better.delta["average_precision"] > 0 and better.ap_delta_ci[0] > 0
    assert worse.delta["average_precision"] < 0 and worse.ap_delta_ci[1] < 0
    assert better.candidate.ndcg > better.current.ndcg > worse.candidate.ndcg


def test_jsonl_round_trip_and_cli_hook(fixture_cases, tmp_path):
    path = tmp_path / "export.jsonl"
    assert write_outcomes_jsonl(fixture_cases[:20], path) == 20
    assert read_outcomes_jsonl(path) == fixture_cases[:20]
    out = tmp_path / "report.json"
    report = replay_main(str(path), "agents.qualifier:qualify", ks=(5,), out=out)
    assert report.cases == 20 and out.exists()
    assert "precision@5" in report.to_text()
    with pytest.raises(ValueError, match="MODULE:FUNCTION"):
        replay_main(str(path), "agents.qualifier")
