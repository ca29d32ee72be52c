"""Experiments: deterministic assignment with a holdout, interval math, per-group tallies and the
promotion rule, on tallies built in the test (no database; see tests/integration for that)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.experiments import (
    Arm,
    ExperimentSpec,
    LeadTally,
    assign_arm,
    build_report,
    newcombe_diff,
    wilson,
)
from agents.experiments.intervals import share_p_value, z_for

V1 = "copywriter/first_touch@v1"
# Only v1 templates exist; other templates stand in for "another version" of the first touch.
FOLLOW = "copywriter/follow_up@v1"
OTHER = "copywriter/llm_draft@v1"


def spec(holdout: float = 0.1, min_sends: int = 100, metric: str = "positive_reply_rate", **kw) -> ExperimentSpec:
    arms = kw.pop("arms", [Arm(name="A", prompts={"first_touch": V1}),
                           Arm(name="B", prompts={"first_touch": "copywriter/follow_up@v1"})])
    return ExperimentSpec(campaign_id=kw.pop("campaign_id", "camp-1"), name="subject test", arms=arms,
                          holdout_share=holdout, min_sends=min_sends, metric=metric, **kw)


DOMAINS = [f"company{i}.example" for i in range(6000)]


def test_assignment_is_a_pure_function_of_campaign_and_domain():
    exp = spec()
    first = [assign_arm(exp, d).name for d in DOMAINS[:500]]
    again = [assign_arm(spec(), d).name for d in reversed(DOMAINS[:500])][::-1]
    assert first == again
    assert assign_arm(exp, "WWW.Company7.example.") == assign_arm(exp, "company7.example")
    other = [assign_arm(spec(campaign_id="camp-2"), d).name for d in DOMAINS[:500]]
    assert other != first  # the campaign id salts the hash: another campaign splits differently


@pytest.mark.parametrize(("holdout", "weights"), [(0.1, (1, 1)), (0.25, (3, 1)), (0.0, (1, 1))])
def test_split_matches_the_configured_shares(holdout, weights):
    exp = spec(holdout, arms=[Arm(name="A", prompts={"first_touch": V1}, weight=weights[0]),
                              Arm(name="B", prompts={"first_touch": FOLLOW}, weight=weights[1])])
    names = [assign_arm(exp, d).name for d in DOMAINS]
    for name, share in exp.expected_shares().items():
        assert names.count(name) / len(names) == pytest.approx(share, abs=0.02), name


def test_spec_validation_refuses_bad_arms():
    with pytest.raises(ValidationError, match="does not exist"):
        Arm(name="A", prompts={"first_touch": "copywriter/first_touch@v99"})
    with pytest.raises(ValidationError, match="unknown prompt role"):
        Arm(name="A", prompts={"greeting": V1})
    with pytest.raises(ValidationError, match="same prompts"):
        spec(arms=[Arm(name="A", prompts={"first_touch": V1}), Arm(name="B", prompts={})])
    with pytest.raises(ValidationError, match="distinct"):
        spec(arms=[Arm(name="holdout", prompts={"first_touch": FOLLOW}), Arm(name="B")])
    with pytest.raises(ValidationError):
        spec(holdout=0.7)


def test_wilson_matches_published_values():
    # Newcombe (1998), Stat Med 17:857, Table I: 81/263 -> 0.2553-0.3662; 0/10 -> 0-0.2775.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert tuple(round(x, 4) for x in wilson(0, 10)) == (0.0, 0.2775)
    assert wilson(0, 0) is None


@pytest.mark.parametrize(("counts", "expected"), [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
])
def test_newcombe_matches_published_values(counts, expected):
    # Newcombe (1998), Table II, method 10 (hybrid score, no continuity correction).
    low, high = newcombe_diff(*counts)
    assert (round(low, 4), round(high, 4)) == expected


def test_bonferroni_widens_and_share_test_flags_imbalance():
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.95, 2) == pytest.approx(2.241403, abs=1e-6)
    assert share_p_value(100, 1000, 0.1) == pytest.approx(1.0)
    assert share_p_value(160, 1000, 0.1) < 0.001
    assert share_p_value(0, 0, 0.1) == 1.0


def tallies(exp: ExperimentSpec, plan: dict[str, tuple[int, int, int]], *, versions: dict[str, str] | None = None,
            extra: int = 0) -> list[LeadTally]:
    """Companies assigned by the real hash; per group (contacted, replies, positive) in that order.
    Every assigned company beyond the planned contacted ones stays uncontacted (``extra`` per group)."""
    left = {name: list(counts) + [extra] for name, counts in plan.items()}
    out = []
    for domain in DOMAINS:
        group = assign_arm(exp, domain).name
        contacted, replies, positive, idle = left[group]
        if contacted > 0:
            kinds = ("reply_positive",) if positive > 0 else ("reply_negative",) if replies > 0 else ()
            version = (versions or {}).get(group, V1)
            out.append(LeadTally(domain, 2, kinds, (("first_touch", version), ("follow_up", FOLLOW))))
            left[group] = [contacted - 1, replies - bool(kinds), positive - (positive > 0), idle]
        elif idle > 0:
            out.append(LeadTally(domain))
            left[group][3] -= 1
    return out


def shares_plan(exp: ExperimentSpec, total: int) -> dict[str, int]:
    return {name: round(share * total) for name, share in exp.expected_shares().items()}


def test_report_counts_each_group_from_its_companies():
    exp = spec(min_sends=10)
    plan = {"A": (40, 10, 6), "B": (41, 4, 1), "holdout": (9, 2, 0)}
    report = build_report(exp, tallies(exp, plan, versions={"B": FOLLOW}, extra=3))
    for name, (sent, replies, positive) in plan.items():
        g = report.groups[name]
        assert (g.sent, g.replies, g.positive, g.leads, g.messages) == (sent, replies, positive, sent + 3, 2 * sent)
        assert g.mismatched == 0
    a = report.groups["A"]
    assert a.positive_rate == pytest.approx(6 / 40) and a.positive_ci == pytest.approx(wilson(6, 40))
    assert a.reply_rate == pytest.approx(10 / 40)
    head = report.comparisons[0]
    assert (head.a, head.b) == ("A", "B")
    assert head.difference == pytest.approx(6 / 40 - 1 / 41)
    assert head.ci == pytest.approx(newcombe_diff(6, 40, 1, 41))


def test_promotion_refused_with_too_few_sends_even_with_a_big_difference():
    exp = spec(min_sends=100)
    report = build_report(exp, tallies(exp, {"A": (60, 30, 30), "B": (60, 0, 0), "holdout": (13, 0, 0)},
                                       versions={"B": FOLLOW}))
    assert report.comparisons[0].excludes_zero
    assert report.decision.action == "keep_running" and report.decision.winner is None
    assert any("fewer than 100" in r for r in report.decision.reasons)


def test_promotion_refused_when_the_interval_includes_zero():
    exp = spec(min_sends=100)
    report = build_report(exp, tallies(exp, {"A": (450, 60, 30), "B": (450, 60, 24), "holdout": (100, 10, 5)},
                                       versions={"B": FOLLOW}))
    assert not report.comparisons[0].excludes_zero
    assert report.decision.action == "keep_running"
    assert any("includes 0" in r for r in report.decision.reasons)


def test_promotion_granted_with_clear_evidence():
    exp = spec(min_sends=100)
    report = build_report(exp, tallies(exp, {"A": (450, 40, 10), "B": (450, 90, 45), "holdout": (100, 10, 3)},
                                       versions={"B": FOLLOW}))
    assert report.decision.action == "promote"
    assert report.decision.winner == "B"
    assert report.decision.prompts == {"first_touch": FOLLOW}
    holdout_cmp = [c for c in report.comparisons if c.b == "holdout"]
    assert [c.a for c in holdout_cmp] == ["A", "B"]


def test_promotion_refused_when_the_holdout_is_not_respected():
    exp = spec(min_sends=100)
    # Holdout companies written with arm B's prompt: the holdout leaked.
    leaked = build_report(exp, tallies(exp, {"A": (450, 40, 10), "B": (450, 90, 45), "holdout": (100, 10, 3)},
                                       versions={"B": FOLLOW, "holdout": FOLLOW}))
    assert leaked.groups["holdout"].mismatched == 100
    assert leaked.decision.action == "keep_running"
    assert any("another group's prompts" in r for r in leaked.decision.reasons)
    # Almost nobody in the holdout was contacted: the split is not the configured one.
    starved = build_report(exp, tallies(exp, {"A": (450, 40, 10), "B": (450, 90, 45), "holdout": (5, 0, 0)},
                                        versions={"B": FOLLOW}))
    assert starved.groups["holdout"].share_p < 0.001
    assert starved.decision.action == "keep_running"
    assert any("not respected" in r for r in starved.decision.reasons)


def test_three_arms_need_the_best_to_beat_each_other_arm():
    arms = [Arm(name="A", prompts={"first_touch": V1}), Arm(name="B", prompts={"first_touch": FOLLOW}),
            Arm(name="C", prompts={"first_touch": OTHER})]
    exp = spec(holdout=0.0, min_sends=100, arms=arms)
    close = build_report(exp, tallies(exp, {"A": (300, 30, 15), "B": (300, 60, 40), "C": (300, 60, 33),
                                            "holdout": (0, 0, 0)}, versions={"B": FOLLOW, "C": OTHER}))
    assert close.decision.action == "keep_running"
    assert [(c.a, c.b) for c in close.comparisons] == [("B", "A"), ("B", "C")]
    clear = build_report(exp, tallies(exp, {"A": (300, 30, 10), "B": (300, 80, 60), "C": (300, 30, 12),
                                            "holdout": (0, 0, 0)}, versions={"B": FOLLOW, "C": OTHER}))
    assert clear.decision.action == "promote" and clear.decision.winner == "B"
