"""Industry taxonomy: synonyms, broader parents, near spellings, false friends and quoting."""

from __future__ import annotations

import pytest

from agents.icp.industries import (
    TextField,
    canonical_industry,
    company_texts,
    match_term,
    vocabulary,
)
from core.models import Company, Evidence, Signal


@pytest.mark.parametrize("term, canonical", [
    ("devtools", "developer tools"), ("Developer Tools", "developer tools"),
    ("engineering platform", "developer tools"), ("dev tooling", "developer tools"),
    ("Dev-Tools", "developer tools"), ("financial services", "fintech"), ("payments", "fintech"),
    ("health tech", "healthcare"), ("digital health", "healthcare"), ("MedTech", "medtech"),
    ("machine learning", "artificial intelligence"), ("AI", "artificial intelligence"),
    ("cybersecurity", "security"), ("cyber-security", "security"), ("recruiting", "hr"),
    ("people ops", "hr"), ("supply chain", "logistics"), ("edtech", "education"),
    ("legaltech", "legal"), ("proptech", "real estate"), ("govtech", "government"),
    ("cybersecurty", "security"),
])
def test_user_terms_map_to_canonical_industries(term: str, canonical: str) -> None:
    assert canonical_industry(term) == canonical


def test_unknown_terms_stay_as_keywords() -> None:
    assert canonical_industry("underwater basket weaving") is None
    assert vocabulary("underwater basket weaving") == ("underwater basket weaving",)


def test_broader_industries_include_narrower_ones() -> None:
    assert "biotech" in vocabulary("healthcare") and "medical devices" in vocabulary("healthcare")
    assert "healthcare" not in vocabulary("biotech")


def _texts(**fields: str) -> list[TextField]:
    return [TextField(name, text, f"https://acme.example/{name}") for name, text in fields.items()]


def test_match_is_word_bounded_and_plural_tolerant() -> None:
    assert match_term("payments", _texts(description="We build payment rails for marketplaces."))
    assert match_term("ai", _texts(description="Maintenance for trains and rails.")) is None
    assert match_term("hr", _texts(description="Three hrs of video.")) is None


def test_match_tolerates_separators_and_near_spellings() -> None:
    assert match_term("developer tools", _texts(description="Best-in-class dev-tools for teams."))
    hit = match_term("security", _texts(description="An AI cybersecurty copilot for SOC teams."))
    assert hit is not None and not hit.exact


def test_short_phrases_are_never_matched_fuzzily() -> None:
    assert match_term("developer tools", _texts(description="The AI platform for car washes.")) is None
    assert match_term("education", _texts(description="A medtech device for clinics.")) is None


def test_false_friends_do_not_match() -> None:
    assert match_term("robotics", _texts(description="Robotic process automation for banks.")) is None
    assert match_term("robotics", _texts(description="Robotic arms that fold laundry."))


def test_structured_industry_is_preferred_and_cited_with_its_source() -> None:
    company = Company(
        domain="acme.example", industry="Developer Tools",
        description="Tools for engineering teams.",
        facts=[Evidence(claim="Acme ships developer tools for CI.", source_url="https://acme.example/about")],
        sources={"industry": "https://acme.example/", "description": "https://acme.example/"},
    )
    hit = match_term("devtools", company_texts(company))
    assert hit is not None and hit.field == "industry" and hit.source_url == "https://acme.example/"


def test_facts_are_cited_with_their_own_page_and_mentions_are_counted() -> None:
    company = Company(
        domain="acme.example",
        description="We help companies. Our payments API settles in seconds.",
        facts=[Evidence(claim="Acme processes payments for 300 marketplaces.", source_url="https://acme.example/about")],
        sources={"description": "https://acme.example/"},
    )
    hit = match_term("fintech", company_texts(company))
    assert hit is not None
    assert hit.field == "fact" and hit.source_url == "https://acme.example/about"
    assert hit.mentions == 2 and hit.strong
    assert "300 marketplaces" in hit.quote


def test_a_single_passing_mention_in_the_body_is_weak() -> None:
    company = Company(domain="x.example", description="Scheduling for dentists. We also reduce insurance paperwork and payment delays.")
    hit = match_term("fintech", company_texts(company))
    assert hit is not None and hit.mentions == 1 and not hit.in_lead and not hit.strong


@pytest.mark.parametrize("text", [
    "Karoo is a fintech company working in consumer finance.",
    "An AI native consumer loan servicer.",
    "Validated support for consumer health and wellness.",
])
def test_a_compound_of_another_industry_wins_over_its_part(text: str) -> None:
    assert match_term("consumer", _texts(description=text)) is None


def test_the_compound_still_counts_for_its_own_industry() -> None:
    hit = match_term("fintech", _texts(description="A lending app for consumer finance."))
    assert hit is not None and hit.phrase in ("consumer finance", "lending")
    assert match_term("consumer", _texts(description="A consumer app for families and consumer finance."))


def test_news_and_careers_sentences_are_not_evidence_of_the_industry() -> None:
    blog = "https://acme.example/blog/launch"
    company = Company(
        domain="acme.example", description="A vintage marketplace for secondhand clothes.",
        facts=[Evidence(claim="We raised a seed round to keep building AI agents.", source_url=blog),
               Evidence(claim="Hiring: Machine Learning Engineer", source_url="https://acme.example/")],
        signals=[Signal(kind="hiring", text="Hiring: Machine Learning Engineer", source_url="https://acme.example/")],
    )
    assert match_term("artificial intelligence", company_texts(company)) is None
    assert match_term("artificial intelligence", company_texts(company, with_news=True)) is not None


def test_listed_topics_and_the_name_classify_the_company() -> None:
    tagged = Company(domain="h.example", industry="consumer", keywords=["Artificial Intelligence"],
                     sources={"keywords": "https://h.example/"})
    hit = match_term("AI", company_texts(tagged))
    assert hit is not None and hit.field == "keywords" and hit.strong
    named = Company(domain="o.example", name="OnDeck AI")
    assert (hit := match_term("artificial intelligence", company_texts(named))) and hit.field == "name"
    assert match_term("artificial intelligence", company_texts(Company(domain="i.ai", name="IronLedger.ai"))) is None
