"""Expected qualification labels, computed mechanically from a sample-web *record* (YC fields:
industry, subindustry, tags, regions, team_size, is_hiring) — never from what an agent extracted.

Each brief in ``evals/datasets/briefs/`` has one labelling function here. A function returns
``(label, reasons)``; label is ``None`` when the record lacks a fact the brief depends on (e.g. no
team size for a size-bounded brief while every other condition holds): such pairs get no case.
Three-valued logic: any condition False -> False; else any unknown -> None; else True.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sampleweb.dataset import Record

Label = tuple[bool | None, list[str]]

DEVTOOLS_TAGS = frozenset({"Developer Tools", "DevOps", "Open Source", "API", "APIs", "AIOps", "Databases"})
DEVTOOLS_SUBINDUSTRIES = frozenset({"B2B -> Engineering, Product and Design"})
AI_TAGS = frozenset({
    "AI", "Artificial Intelligence", "Generative AI", "Machine Learning", "AI Assistant",
    "Conversational AI", "Computer Vision", "AI-Enhanced Learning", "AI-powered Drug Discovery", "AIOps",
})
NORTH_AMERICA_REGIONS = frozenset({"America / Canada", "United States of America", "Canada", "Mexico"})
CRYPTO_TAGS = frozenset({"Crypto / Web3"})
CRYPTO_WORDS = re.compile(r"\b(?:crypto\w*|blockchain|web3|stablecoins?|bitcoin|ethereum|defi|nfts?)\b", re.I)


def _combine(conditions: list[tuple[bool | None, str]]) -> Label:
    reasons = [f"{'yes' if v else 'no' if v is False else 'unknown'}: {text}" for v, text in conditions]
    values = [v for v, _ in conditions]
    if False in values:
        return False, reasons
    if None in values:
        return None, reasons
    return True, reasons


def _size_within(record: Record, low: int | None, high: int | None) -> bool | None:
    size = record.get("team_size")
    if size is None:
        return None
    return (low is None or size >= low) and (high is None or size <= high)


def _is_devtools(record: Record) -> bool:
    return record["subindustry"] in DEVTOOLS_SUBINDUSTRIES or bool(DEVTOOLS_TAGS & set(record["tags"]))


def _is_crypto(record: Record) -> bool:
    text = f"{record.get('one_liner') or ''} {record.get('long_description') or ''}"
    return bool(CRYPTO_TAGS & set(record["tags"])) or bool(CRYPTO_WORDS.search(text))


def us_devtools_small(record: Record) -> Label:
    return _combine([
        (_is_devtools(record), f"developer tools (subindustry {record['subindustry']!r}, tags {record['tags']})"),
        ("United States of America" in record["regions"], f"in the US (regions {record['regions']})"),
        (_size_within(record, 2, 50), f"2-50 people (team_size {record.get('team_size')})"),
    ])


def eu_healthcare(record: Record) -> Label:
    return _combine([
        (record["industry"] == "Healthcare", f"healthcare (industry {record['industry']!r})"),
        ("Europe" in record["regions"], f"in Europe (regions {record['regions']})"),
    ])


def fintech_no_crypto(record: Record) -> Label:
    fintech = record["industry"] == "Fintech" or "Fintech" in record["tags"]
    return _combine([
        (fintech, f"fintech (industry {record['industry']!r}, tags {record['tags']})"),
        (not _is_crypto(record), "not crypto (Crypto / Web3 tag or crypto words in the one-liner/description)"),
    ])


def na_ai_hiring(record: Record) -> Label:
    return _combine([
        (bool(AI_TAGS & set(record["tags"])), f"AI (tags {record['tags']})"),
        (bool(NORTH_AMERICA_REGIONS & set(record["regions"])), f"in North America (regions {record['regions']})"),
        (record.get("is_hiring"), f"hiring (is_hiring {record.get('is_hiring')})"),
    ])


def small_consumer(record: Record) -> Label:
    return _combine([
        (record["industry"] == "Consumer", f"consumer (industry {record['industry']!r})"),
        (_size_within(record, None, 9), f"fewer than 10 people (team_size {record.get('team_size')})"),
    ])


LABELLERS: dict[str, Callable[[Record], Label]] = {
    "us_devtools_small": us_devtools_small,
    "eu_healthcare": eu_healthcare,
    "fintech_no_crypto": fintech_no_crypto,
    "na_ai_hiring": na_ai_hiring,
    "small_consumer": small_consumer,
}


def expected_fit(brief_id: str, record: Record) -> Label:
    """The label of (record, brief); KeyError for a brief without a labelling function."""
    return LABELLERS[brief_id](record)
