"""Accuracy of the rules qualifier on labelled YC company records.

Company objects are built from the record fields (industry from industry/subindustry/tags; the
website is every field's source_url). Each brief is free text (read by ``icp_from_text``); its
ground-truth label is computed mechanically from the record fields by the brief's ``label``
function, which the qualifier never sees. Targets: accuracy >= 0.90 and F1 >= 0.85 per brief.
Run with ``-s`` to print the per-brief table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from agents.qualifier import qualify_rules
from core.models import CampaignBrief, Company, Evidence, Sender

DATASET = Path("/work/shared/datasets/companies/companies.jsonl")
_NOT_A_COUNTRY = {"Remote", "Partly Remote", "Fully Remote", "Unspecified"}
_SENDER = Sender(name="Ada", company="Acme", email="ada@acme.example", postal_address="1 Main St, Springfield")


def load_records() -> list[dict]:
    return [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]


def company_from_record(r: dict) -> Company:
    url = r["website"]
    industry = ", ".join(dict.fromkeys(
        [r["industry"], *[p.strip() for p in (r["subindustry"] or "").split("->")], *r["tags"]]
    ))
    country = next((x for x in r["regions"] if x not in _NOT_A_COUNTRY), None) if r["regions"] else None
    description = " ".join(x for x in (r["one_liner"], r["long_description"]) if x)
    fields = ("name", "description", "industry", "locations", "country", "team_size", "is_hiring")
    return Company(
        name=r["name"],
        domain=urlparse(url).netloc.removeprefix("www."),
        description=description,
        locations=[p.strip() for p in (r["locations"] or "").split(";") if p.strip()],
        country=country,
        team_size=r["team_size"],
        industry=industry,
        is_hiring=r["is_hiring"],
        facts=[Evidence(claim=r["one_liner"], source_url=url)] if r["one_liner"] else [],
        sources={f: url for f in fields},
    )


def _tags(r: dict) -> set[str]:
    return {t.lower() for t in r["tags"]}


def _sub(r: dict) -> str:
    return (r["subindustry"] or "").lower()


def _in_us(r: dict) -> bool:
    return "United States of America" in r["regions"]


def _size(r: dict, low: int | None = None, high: int | None = None) -> bool:
    """An unknown team size satisfies a range: the product treats it as unknown, never as a miss."""
    n = r["team_size"]
    return n is None or ((low is None or n >= low) and (high is None or n <= high))


_CRYPTO = re.compile(r"\b(crypto\w*|blockchain|web3|stablecoins?|defi|bitcoin|ethereum|nfts?)\b", re.I)


@dataclass(frozen=True)
class LabelledBrief:
    key: str
    text: str
    label: Callable[[dict], bool]

    def brief(self) -> CampaignBrief:
        return CampaignBrief(name=self.key, description=self.text, offer="a product", sender=_SENDER)


BRIEFS = [
    LabelledBrief(
        "us_devtools_hiring",
        "US developer-tools companies with 2-20 people that are hiring",
        lambda r: _in_us(r) and bool(_tags(r) & {"developer tools", "devops"}) and _size(r, 2, 20)
        and r["is_hiring"] is True,
    ),
    LabelledBrief(
        "healthcare_europe",
        "Healthcare companies in Europe",
        lambda r: (r["industry"] == "Healthcare" or bool(_tags(r) & {
            "healthcare", "health tech", "digital health", "healthcare it", "biotech", "therapeutics",
            "medical devices"})) and "Europe" in r["regions"],
    ),
    LabelledBrief(
        "fintech_no_crypto",
        "Fintech anywhere, no crypto",
        lambda r: (r["industry"] == "Fintech" or "finance and accounting" in _sub(r)
                   or bool(_tags(r) & {"fintech", "payments", "finance", "banking", "banking as a service",
                                       "lending", "consumer finance"}))
        and not any(_CRYPTO.search(t) for t in r["tags"])
        and not _CRYPTO.search(f"{r['one_liner']} {r['long_description']}"),
    ),
    LabelledBrief(
        "us_robotics_manufacturing",
        "Robotics or manufacturing companies in the US with at least 5 people",
        lambda r: ("manufacturing and robotics" in _sub(r) or bool(_tags(r) & {"robotics", "manufacturing"}))
        and _in_us(r) and _size(r, low=5),
    ),
    LabelledBrief(
        "na_security_small",
        "Security companies in North America with fewer than 10 people",
        lambda r: (_sub(r).endswith("security") or bool(_tags(r) & {"security", "cybersecurity"}))
        and "America / Canada" in r["regions"] and _size(r, high=9),
    ),
    # Written after the rules were tuned on the five above: a held-out check of generality.
    LabelledBrief(
        "us_legal",
        "Legal tech companies in the United States",
        lambda r: (_sub(r).endswith("legal") or bool(_tags(r) & {"legal", "legaltech"})) and _in_us(r),
    ),
    LabelledBrief(
        "education_hiring",
        "Education companies that are hiring",
        lambda r: (r["industry"] == "Education" or bool(_tags(r) & {"education", "edtech"}))
        and r["is_hiring"] is True,
    ),
]


@pytest.fixture(scope="module")
def records() -> list[dict]:
    if not DATASET.exists():
        pytest.skip(f"labelled dataset missing: {DATASET}")
    return load_records()


def _confusion(brief: LabelledBrief, records: list[dict]) -> tuple[int, int, int, int]:
    tp = fp = fn = tn = 0
    campaign = brief.brief()
    for record in records:
        fit = qualify_rules(company_from_record(record), campaign).fit
        truth = brief.label(record)
        tp += fit and truth
        fp += fit and not truth
        fn += truth and not fit
        tn += not fit and not truth
    return tp, fp, fn, tn


@pytest.mark.parametrize("brief", BRIEFS, ids=[b.key for b in BRIEFS])
def test_rules_accuracy_and_f1_on_labelled_records(brief: LabelledBrief, records: list[dict]) -> None:
    tp, fp, fn, tn = _confusion(brief, records)
    assert tp + fn >= 5, "a brief needs enough positives to measure F1"
    accuracy = (tp + tn) / len(records)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"\n{brief.key}: n={len(records)} positives={tp + fn} tp={tp} fp={fp} fn={fn} "
          f"accuracy={accuracy:.3f} precision={precision:.2f} recall={recall:.2f} f1={f1:.3f}")
    assert accuracy >= 0.90
    assert f1 >= 0.85


def test_labels_are_not_trivial(records: list[dict]) -> None:
    """Every brief has both fitting and non-fitting records, so accuracy is not a constant guess."""
    for brief in BRIEFS:
        positives = sum(brief.label(r) for r in records)
        assert 0 < positives < len(records) // 2, brief.key
