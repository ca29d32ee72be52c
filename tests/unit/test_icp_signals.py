"""Required signals: parsing the brief's wording and checking a company's signals, flag and roles."""

from __future__ import annotations

import pytest

from agents.icp.locations import Verdict
from agents.icp.signals import check_signal, parse_signal
from core.models import Company, Signal

URL = "https://acme.example/careers"


@pytest.mark.parametrize("text, kind, detail", [
    ("hiring", "hiring", None), ("hiring engineers", "hiring", "engineer"),
    ("raising", "funding", None), ("recently funded", "funding", None), ("Series A", "funding", None),
    ("launched a product", "launch", None), ("in the news", "news", None),
    ("uses Kubernetes", "tech", "kubernete"),
])
def test_parse_signal(text: str, kind: str, detail: str | None) -> None:
    parsed = parse_signal(text)
    assert (parsed.kind, parsed.detail) == (kind, detail)


def _company(**kw) -> Company:
    return Company(domain="acme.example", sources={"is_hiring": URL, "open_roles": URL}, **kw)


def test_hiring_from_flag_roles_and_signals() -> None:
    assert check_signal(parse_signal("hiring"), _company(is_hiring=True)).verdict is Verdict.MATCH
    assert check_signal(parse_signal("hiring"), _company(is_hiring=False)).verdict is Verdict.MISMATCH
    assert check_signal(parse_signal("hiring"), _company()).verdict is Verdict.UNKNOWN
    signal = Signal(kind="hiring", text="We are hiring a founding engineer", source_url=URL)
    check = check_signal(parse_signal("hiring"), _company(signals=[signal]))
    assert check.verdict is Verdict.MATCH and check.evidence[0].source_url == URL


def test_hiring_with_a_role_filter() -> None:
    roles = ["Senior Software Engineer", "Account Executive"]
    check = check_signal(parse_signal("hiring engineers"), _company(is_hiring=True, open_roles=roles))
    assert check.verdict is Verdict.MATCH and "Senior Software Engineer" in check.reason
    check = check_signal(parse_signal("hiring designers"), _company(is_hiring=True, open_roles=roles))
    assert check.verdict is Verdict.MISMATCH
    check = check_signal(parse_signal("hiring engineers"), _company(is_hiring=True))
    assert check.verdict is Verdict.UNKNOWN  # hiring, but the roles are unknown


def test_funding_is_present_or_unknown_never_known_absent() -> None:
    funded = Signal(kind="funding", text="Acme raised a $4M seed round", source_url="https://acme.example/blog")
    assert check_signal(parse_signal("raising"), _company(signals=[funded])).verdict is Verdict.MATCH
    check = check_signal(parse_signal("recently funded"), _company(is_hiring=False))
    assert check.verdict is Verdict.UNKNOWN and "No 'recently funded' signal found" in check.reason
