"""Per-group reply statistics of an experiment and the promotion rule: promote the best arm only
with enough sends per arm, an honest assignment and a difference whose interval excludes 0."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from agents.experiments.design import HOLDOUT_NAME, ExperimentSpec, assign_arm, effective_refs
from agents.experiments.intervals import newcombe_diff, share_p_value, wilson, z_for

# A person answered: these count as replies. Out-of-office, bounces and delay notices do not.
REPLY_KINDS = ("reply_positive", "reply_negative", "reply_neutral", "reply_unsubscribe")
POSITIVE_KINDS = ("reply_positive",)
BOUNCE_KINDS = ("bounce", "reply_bounce")
SRM_P_MIN = 0.001  # below this the observed split is not the configured one (sample ratio mismatch)


def draft_role(step: int, engine: str) -> str:
    """Which copywriter prompt a stored draft's ``prompt_version`` names (see agents/copywriter.py)."""
    if engine == "llm":
        return "llm_draft"
    return "first_touch" if step == 1 else "follow_up"


@dataclass(frozen=True)
class LeadTally:
    """One company of the campaign: whether it was contacted and what came back."""

    domain: str
    messages_sent: int = 0
    event_kinds: tuple[str, ...] = ()
    drafts: tuple[tuple[str, str], ...] = ()  # (prompt role, prompt ref) of each draft written

    @property
    def contacted(self) -> bool:
        return self.messages_sent > 0

    @property
    def replied(self) -> bool:
        return any(kind in REPLY_KINDS for kind in self.event_kinds)

    @property
    def positive(self) -> bool:
        return any(kind in POSITIVE_KINDS for kind in self.event_kinds)


@dataclass
class GroupStats:
    name: str
    expected_share: float
    leads: int = 0  # companies assigned, contacted or not
    sent: int = 0  # companies contacted (the unit of every rate)
    messages: int = 0
    replies: int = 0
    positive: int = 0
    bounced: int = 0
    mismatched: int = 0  # contacted companies whose drafts used another group's prompts
    reply_rate: float | None = None
    reply_ci: tuple[float, float] | None = None
    positive_rate: float | None = None
    positive_ci: tuple[float, float] | None = None
    share_p: float = 1.0


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    metric: str
    difference: float | None
    ci: tuple[float, float] | None
    confidence: float

    @property
    def excludes_zero(self) -> bool:
        return self.ci is not None and (self.ci[0] > 0 or self.ci[1] < 0)


@dataclass(frozen=True)
class Decision:
    action: str  # "promote" | "keep_running"
    winner: str | None
    prompts: dict[str, str]
    reasons: list[str]


@dataclass
class ExperimentReport:
    experiment: ExperimentSpec
    groups: dict[str, GroupStats]
    comparisons: list[Comparison]
    decision: Decision
    contacted: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment.model_dump(mode="json"),
            "contacted": self.contacted,
            "groups": {name: asdict(g) for name, g in self.groups.items()},
            "comparisons": [{**asdict(c), "excludes_zero": c.excludes_zero} for c in self.comparisons],
            "decision": asdict(self.decision),
        }


def _rate(group: GroupStats, metric: str) -> tuple[int, int]:
    return (group.positive if metric == "positive_reply_rate" else group.replies), group.sent


def build_report(experiment: ExperimentSpec, leads: list[LeadTally], *, confidence: float = 0.95) -> ExperimentReport:
    """Tally every company into its group, then intervals, comparisons and the decision."""
    shares = experiment.expected_shares()
    groups = {name: GroupStats(name, share) for name, share in shares.items()}
    expected = {name: effective_refs(experiment.arm(name)) for name in groups}
    for lead in leads:
        group = groups[assign_arm(experiment, lead.domain).name]
        group.leads += 1
        if not lead.contacted:
            continue
        group.sent += 1
        group.messages += lead.messages_sent
        group.replies += lead.replied
        group.positive += lead.positive
        group.bounced += any(kind in BOUNCE_KINDS for kind in lead.event_kinds)
        group.mismatched += any(expected[group.name].get(role, ref) != ref for role, ref in lead.drafts)
    contacted = sum(g.sent for g in groups.values())
    z95 = z_for(confidence)
    for g in groups.values():
        g.reply_rate = g.replies / g.sent if g.sent else None
        g.positive_rate = g.positive / g.sent if g.sent else None
        g.reply_ci, g.positive_ci = wilson(g.replies, g.sent, z95), wilson(g.positive, g.sent, z95)
        g.share_p = share_p_value(g.sent, contacted, g.expected_share)
    comparisons = _comparisons(experiment, groups, confidence)
    report = ExperimentReport(experiment, groups, comparisons, Decision("keep_running", None, {}, []), contacted)
    report.decision = decide(report)
    return report


def _best_arm(experiment: ExperimentSpec, groups: dict[str, GroupStats]) -> str:
    def key(name: str) -> tuple[float, int, str]:
        k, n = _rate(groups[name], experiment.metric)
        return (k / n if n else -1.0, n, name)

    return max((arm.name for arm in experiment.arms), key=key)


def _comparisons(experiment: ExperimentSpec, groups: dict[str, GroupStats], confidence: float) -> list[Comparison]:
    """Best arm minus each other arm (Bonferroni over those), then each arm minus the holdout."""
    best = _best_arm(experiment, groups)
    others = [arm.name for arm in experiment.arms if arm.name != best]
    z = z_for(confidence, len(others))
    pairs = [(best, other, z) for other in others]
    if groups[HOLDOUT_NAME].expected_share > 0:
        pairs += [(arm.name, HOLDOUT_NAME, z_for(confidence)) for arm in experiment.arms]
    out = []
    for a, b, zz in pairs:
        ka, na = _rate(groups[a], experiment.metric)
        kb, nb = _rate(groups[b], experiment.metric)
        diff = ka / na - kb / nb if na and nb else None
        out.append(Comparison(a, b, experiment.metric, diff, newcombe_diff(ka, na, kb, nb, zz), confidence))
    return out


def decide(report: ExperimentReport) -> Decision:
    """Promote the best arm when (1) every arm has at least ``min_sends`` contacted companies,
    (2) the assignment held: no group's contacted share departs from its configured share
    (p < SRM_P_MIN) and no contacted company got another group's prompts, and (3) the interval of
    the best arm minus every other arm excludes 0. Otherwise keep running, saying why."""
    experiment, groups = report.experiment, report.groups
    reasons: list[str] = []
    for arm in experiment.arms:
        if groups[arm.name].sent < experiment.min_sends:
            reasons.append(f"arm {arm.name} has {groups[arm.name].sent} sends, fewer than {experiment.min_sends}")
    for g in groups.values():
        if g.share_p < SRM_P_MIN:
            reasons.append(f"{g.name} got {g.sent} of {report.contacted} contacted companies, expected share "
                           f"{g.expected_share:.2f} (p={g.share_p:.2g}): the assignment was not respected")
        if g.mismatched:
            reasons.append(f"{g.mismatched} contacted companies in {g.name} were written with another group's prompts")
    head_to_head = [c for c in report.comparisons if c.b != HOLDOUT_NAME]
    best = head_to_head[0].a if head_to_head else None
    for c in head_to_head:
        if c.ci is None:
            reasons.append(f"{c.a} vs {c.b}: no sends to compare yet")
        elif not c.excludes_zero:
            reasons.append(f"{c.a} - {c.b} = {c.difference:+.3f}, interval [{c.ci[0]:+.3f}, {c.ci[1]:+.3f}] includes 0")
        elif c.ci[1] < 0:  # cannot happen for the best arm, kept as a guard against a wrong ordering
            reasons.append(f"{c.a} is worse than {c.b}")
    if reasons or best is None:
        return Decision("keep_running", None, {}, reasons)
    arm = experiment.arm(best)
    return Decision("promote", best, dict(arm.prompts),
                    [f"{best} beats every other arm on {experiment.metric}: "
                     + "; ".join(f"{c.a} - {c.b} = {c.difference:+.3f} [{c.ci[0]:+.3f}, {c.ci[1]:+.3f}]"
                                 for c in head_to_head if c.ci is not None)])
