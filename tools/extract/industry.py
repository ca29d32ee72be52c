"""A small industry taxonomy: each label with the words that point to it, and a scorer over page text."""

from __future__ import annotations

import re
from functools import lru_cache

# label -> synonyms/keywords. Multi-word phrases count double; the label's own name counts too.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "developer tools": (
        "developer tools", "devtools", "developers", "api", "apis", "sdk", "cli", "ci/cd", "continuous integration",
        "open source", "open-source", "code review", "debugging", "observability", "devops", "infrastructure",
        "deploy", "deployments", "git", "ide", "software engineers", "engineering teams", "kubernetes", "database",
    ),
    "ai/ml": (
        "artificial intelligence", "machine learning", "ai", "ml", "llm", "llms", "large language model",
        "deep learning", "neural", "computer vision", "nlp", "generative ai", "ai-powered", "models", "inference",
    ),
    "fintech": (
        "fintech", "payments", "banking", "bank", "lending", "loans", "credit", "invoicing", "accounting",
        "financial", "finance", "insurance", "insurtech", "crypto", "wallet", "treasury", "payroll", "expense",
    ),
    "healthcare": (
        "healthcare", "health", "medical", "patients", "clinical", "clinic", "clinics", "hospital", "hospitals",
        "doctors", "telehealth", "pharma", "biotech", "therapy", "care teams", "diagnostics", "medtech",
    ),
    "education": (
        "education", "edtech", "learning", "students", "teachers", "schools", "courses", "university",
        "universities", "classroom", "tutoring", "curriculum", "e-learning", "training",
    ),
    "logistics": (
        "logistics", "shipping", "freight", "supply chain", "warehouse", "warehouses", "delivery", "fleet",
        "transportation", "trucking", "last-mile", "fulfillment", "carriers", "shipments",
    ),
    "security": (
        "security", "cybersecurity", "threat", "threats", "vulnerability", "vulnerabilities", "encryption",
        "compliance", "soc 2", "identity", "authentication", "zero trust", "malware", "penetration testing",
    ),
    "ecommerce": (
        "ecommerce", "e-commerce", "online store", "online stores", "shopify", "merchants", "retailers",
        "checkout", "storefront", "marketplace", "d2c", "dtc", "shoppers", "cart",
    ),
    "real estate": (
        "real estate", "proptech", "property", "properties", "landlords", "tenants", "rental", "mortgage",
        "homebuyers", "brokers", "listings", "property management", "construction",
    ),
    "government": (
        "government", "govtech", "public sector", "municipal", "municipalities", "agencies", "citizens",
        "civic", "city governments", "federal", "public services", "procurement",
    ),
    "robotics/manufacturing": (
        "robotics", "robots", "robot", "manufacturing", "factory", "factories", "industrial", "automation",
        "cnc", "hardware", "machining", "assembly", "3d printing", "production lines",
    ),
    "marketing/sales": (
        "marketing", "sales", "crm", "leads", "lead generation", "advertising", "seo", "campaigns",
        "outreach", "email marketing", "analytics", "growth", "revenue teams", "martech", "adtech",
    ),
    "hr": (
        "hr", "human resources", "hiring", "recruiting", "recruitment", "talent", "onboarding", "employees",
        "workforce", "hrtech", "applicant tracking", "people teams", "benefits",
    ),
    "legal": (
        "legal", "legaltech", "law firms", "lawyers", "attorneys", "contracts", "litigation", "compliance",
        "e-discovery", "paralegals", "legal teams",
    ),
    "climate/energy": (
        "climate", "climatetech", "energy", "solar", "renewable", "renewables", "carbon", "emissions",
        "battery", "batteries", "grid", "sustainability", "net zero", "ev charging", "electric vehicles", "wind",
    ),
    "consumer": (
        "consumer", "consumers", "app for", "lifestyle", "fitness", "food", "recipes", "travel", "gaming",
        "games", "fashion", "social", "dating", "music", "pets", "families", "home",
    ),
}
_WEAK = {"api", "ai", "ml", "models", "home", "social", "growth", "analytics", "compliance", "employees",
         "hiring", "training", "learning", "health", "finance", "financial", "hardware", "delivery", "cart",
         "identity", "credit", "property", "properties", "travel", "games", "food", "wallet", "ide", "cli", "git"}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[tuple[re.Pattern[str], float]]]:
    table: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for label, words in INDUSTRIES.items():
        entries = []
        for word in {label, *words}:
            weight = 0.5 if word in _WEAK else (2.0 if " " in word or word == label else 1.0)
            entries.append((re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.I), weight))
        table[label] = entries
    return table


def industry_scores(text: str) -> dict[str, float]:
    """Score per label; each keyword counts at most three times so one repeated word cannot dominate."""
    scores: dict[str, float] = {}
    for label, entries in _patterns().items():
        score = sum(min(len(p.findall(text)), 3) * w for p, w in entries)
        if score:
            scores[label] = score
    return scores


def classify_industry(primary: str, secondary: str = "", *, min_score: float = 3.0) -> str | None:
    """Best label for a company: ``primary`` (name, description) weighs triple, ``secondary`` (page text) once."""
    scores = industry_scores(secondary)
    for label, score in industry_scores(primary).items():
        scores[label] = scores.get(label, 0.0) + 3 * score
    if not scores:
        return None
    label, best = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
    return label if best >= min_score else None


def match_industry(phrase: str) -> str | None:
    """Map a free-text industry (an ICP entry such as "DevTools" or "cyber security") to a taxonomy label."""
    text = phrase.strip().lower()
    for label in INDUSTRIES:
        if text == label or text.replace(" ", "") == label.replace(" ", "").replace("/", ""):
            return label
    return classify_industry(phrase, min_score=1.0)
