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


# "Acme is a fintech company working in consumer finance." / "We're a robotics startup." The subject
# must be the company itself (its name, "we" or "it"), so a customer story does not set the industry.
_STATED = re.compile(
    r"\b(?:is|are|['’]re)\s+(?:a|an)\s+(?P<noun>[\w&+'’-]+(?:\s+[\w&+'’-]+){0,4}?)\s+"
    r"(?:company|startup|business|firm|provider|studio|lab|venture|agency|consultancy)\b"
    r"(?:\s+(?:working|operating|focused|specializing|specialising|active)\s+(?:in|on)\s+(?P<sub>[^.;:!?()]{2,80}))?",
    re.I,
)
_GENERIC_WORDS = frozenset(
    "new small young growing fast-growing fast leading global venture-backed vc-backed early-stage "
    "seed-stage independent private public family-owned remote-first mission-driven modern".split()
)


# Words a brand name often carries that its own copy drops: "Fernhill Studio" says "Fernhill is a ...".
_NAME_SUFFIXES = frozenset(
    "studio studios labs lab inc inc. ltd ltd. llc gmbh ag sas bv b.v. co co. company group hq technologies "
    "technology software systems solutions health ai io app".split()
)


def _short_names(name: str | None) -> set[str]:
    if not name:
        return set()
    words = name.lower().split()
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words = words[:-1]
    return {name.lower(), " ".join(words)}


def stated_industry(text: str, name: str | None) -> tuple[str, str] | None:
    """(industry phrase, sentence) where the company names its own industry: "fintech (consumer
    finance)" from "Karoo is a fintech company working in consumer finance."; None when it does not."""
    subjects = {"we", "it", *_short_names(name)}
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            match = _STATED.search(sentence)
            if match is None:
                continue
            subject = sentence[: match.start()].strip().lower()
            if not any(subject == s or subject.endswith(" " + s) for s in subjects):
                continue
            words = [w for w in match.group("noun").split() if w.lower() not in _GENERIC_WORDS]
            if not words:
                continue
            phrase = " ".join(words)
            if match.group("sub"):
                phrase += f" ({' '.join(match.group('sub').split()).rstrip(' ,')})"
            return phrase, sentence.strip()
    return None


# "Focus areas: AI, Fintech, Travel." / "Our work spans Robotics, Consumer and AI." — a short lead-in
# and a list of short capitalised topics. Lead-ins about jobs, contact or places are other lists.
_TOPIC_LIST = re.compile(
    r"^(?P<lead>[A-Za-z][^,:;.!?]{0,45}?)(?::\s*|\s+(?:about|spans?|includes?|covers?)\s+)(?P<items>[^:;!?]+?)\.?$"
)
_NOT_TOPICS = re.compile(
    r"\b(hiring|roles?|jobs?|positions?|openings?|careers?|contact|press|e-?mail|phone|address|offices?|"
    r"located|based|headquartered|team|founders?|investors?|backed|customers?|clients?|partners?|sales|support|enquiries|inquiries|hello)\b",
    re.I,
)
_TOPIC_LEAD = re.compile(r"\b(focus|areas?|topics?|industr(?:y|ies)|sectors?|markets?|tags?|categories|specialt(?:y|ies))\b", re.I)
_TOPIC = re.compile(r"^[A-Z0-9][\w&/+.'’-]*(?:\s+[\w&/+.'’-]+){0,3}$")


def topic_list(sentence: str) -> list[str]:
    """The topics of a self-description list sentence, or [] when the sentence is not one."""
    match = _TOPIC_LIST.match(sentence.strip())
    if match is None or len(match.group("lead").split()) > 6 or _NOT_TOPICS.search(match.group("lead")):
        return []
    items = [i.strip() for i in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group("items")) if i.strip()]
    single_ok = bool(_TOPIC_LEAD.search(match.group("lead")))  # "Focus areas: AI." names one topic
    if len(items) < (1 if single_ok else 2) or not all(_TOPIC.match(i) for i in items):
        return []
    return items
