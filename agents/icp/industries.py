"""Industry taxonomy: canonical industries, their synonyms and broader parents, and matching an
ICP industry (or exclusion keyword) against a company's industry, facts and description."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from agents.icp.phrases import Hit, find_all, find_near, fold, fold_aligned, phrase_pattern, snippet
from core.models import Company
from tools.extract.links import page_kind

# canonical -> synonyms (the canonical name is always a synonym of itself).
TAXONOMY: dict[str, tuple[str, ...]] = {
    "developer tools": (
        "devtools", "dev tools", "developer tool", "dev tooling", "developer tooling",
        "developer platform", "engineering platform", "developer experience", "devops",
        "ci/cd", "software development tools", "developer productivity", "code review",
        "coding assistant", "coding agent", "for developers", "software engineers", "engineering teams",
        "debugging", "code generation",
    ),
    "fintech": (
        "financial services", "financial technology", "payments", "payment processing",
        "banking", "neobank", "lending", "credit and lending", "consumer finance",
        "wealth management", "asset management", "finance and accounting", "accounting",
        "finance", "fin tech", "consumer lending", "consumer loan", "consumer loans", "consumer credit", "loan servicing",
    ),
    "insurance": ("insurtech", "insurance tech", "underwriting", "claims processing"),
    "healthcare": (
        "health care", "health tech", "healthtech", "digital health", "healthcare it",
        "mental health", "medical", "clinical", "hospitals", "patients", "telehealth", "telemedicine",
        "healthcare services", "consumer health", "consumer health and wellness", "consumer health services",
    ),
    "medtech": ("medical devices", "medical device", "diagnostics", "med tech"),
    "biotech": (
        "biotechnology", "life sciences", "therapeutics", "drug discovery", "pharma",
        "pharmaceutical", "synthetic biology", "genomics", "industrial bio",
    ),
    "artificial intelligence": (
        "ai", "machine learning", "ml", "generative ai", "genai", "llm", "llms",
        "deep learning", "computer vision", "ai agents", "large language models",
    ),
    "security": (
        "cybersecurity", "cyber security", "infosec", "information security",
        "application security", "appsec", "network security", "cloud security",
        "identity and access", "threat detection", "fraud detection",
    ),
    "hr": (
        "human resources", "recruiting", "recruitment", "people ops", "people operations",
        "hr tech", "hrtech", "talent acquisition", "recruiting and talent", "payroll",
        "hiring platform", "workforce management",
    ),
    "logistics": (
        "supply chain", "supply chain and logistics", "freight", "warehousing",
        "fulfillment", "trucking", "last mile delivery", "procurement",
    ),
    "education": (
        "edtech", "ed tech", "e learning", "elearning", "online learning", "learning platform",
        "tutoring", "schools", "students", "universities",
    ),
    "legal": ("legaltech", "legal tech", "law firms", "lawyers", "attorneys", "contract management"),
    "real estate": (
        "proptech", "prop tech", "property management", "housing", "housing and real estate",
        "real estate and construction", "mortgage", "commercial real estate",
    ),
    "construction": ("contech", "construction tech", "general contractors", "homebuilders"),
    "government": ("govtech", "gov tech", "public sector", "civic tech", "federal agencies", "municipalities"),
    "defense": ("defence", "defense tech", "national security", "military"),
    "industrials": ("industrial", "hard tech", "heavy industry"),
    "manufacturing": ("factories", "factory", "factory automation", "manufacturing and robotics", "manufacturers", "production lines", "cnc machining"),
    "robotics": ("robots", "robot", "robotic", "humanoid", "humanoids", "robot arms"),
    "aerospace": ("aviation", "aviation and space", "space tech", "spacecraft", "satellites", "spacetech", "drones", "uav", "rocketry"),
    "climate": ("climate tech", "climatetech", "clean energy", "cleantech", "energy", "renewables", "solar", "carbon removal", "sustainability", "batteries"),
    "ecommerce": ("e commerce", "online retail", "retail", "shopify", "d2c", "dtc", "direct to consumer", "marketplace"),
    "marketing": ("martech", "marketing tech", "advertising", "adtech", "growth marketing", "seo"),
    "sales": ("sales tech", "sales enablement", "crm", "revenue operations", "revops", "lead generation", "go to market"),
    "consumer": ("consumer apps", "b2c", "social media", "social network", "gaming", "consumer electronics"),
    "crypto": ("cryptocurrency", "crypto web3", "web3", "blockchain", "defi", "nft", "nfts", "stablecoin", "stablecoins", "bitcoin", "ethereum"),
    "data infrastructure": ("data engineering", "databases", "database", "analytics", "data platform", "big data", "data warehouse", "infrastructure", "cloud computing", "observability"),
    "productivity": ("workflow automation", "collaboration", "productivity software", "automation"),
    "agriculture": ("agtech", "ag tech", "farming", "agritech"),
    "automotive": ("cars", "vehicles", "electric vehicles", "ev", "autonomous vehicles", "mobility"),
    "travel": ("travel tech", "hospitality", "tourism", "travel leisure and tourism", "hotels"),
    "media": ("entertainment", "music", "publishing", "news media", "video streaming"),
}

# Narrower industries count as a match for the broader one ("biotech" is "healthcare").
PARENTS: dict[str, tuple[str, ...]] = {
    "medtech": ("healthcare",),
    "biotech": ("healthcare",),
    "construction": ("real estate",),
    "manufacturing": ("industrials",),
    "robotics": ("industrials",),
    "aerospace": ("industrials",),
    "defense": ("government", "industrials"),
}

# Phrases that contain a synonym but mean something else; blanked out before matching.
FALSE_FRIENDS: dict[str, tuple[str, ...]] = {
    "robotics": ("robotic process automation",),
    "security": ("social security", "security deposit", "securities"),
    "healthcare": ("health of", "health check", "health checks", "pipeline health", "financial health", "customer health"),
    "hr": ("hr teams",),
}

# Fuzzy fallback when a user term is close to a known canonical or synonym ("cyber-security").
_LOOKUP_CUTOFF = 88.0


@lru_cache(maxsize=1024)
def canonical_industry(term: str) -> str | None:
    """The canonical industry a user term names, or None when the term is not in the taxonomy."""
    key = fold(term)
    if not key:
        return None
    for canonical, synonyms in TAXONOMY.items():
        if key == canonical or key in (fold(s) for s in synonyms):
            return canonical
    squashed = key.replace(" ", "")
    for canonical, synonyms in TAXONOMY.items():
        if squashed in (fold(s).replace(" ", "") for s in (canonical, *synonyms)):
            return canonical
    if len(key) < 6:
        return None
    choices = {fold(s): c for c, syns in TAXONOMY.items() for s in (c, *syns) if len(s) >= 6}
    found = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=_LOOKUP_CUTOFF)
    return choices[found[0]] if found else None


def vocabulary(term: str) -> tuple[str, ...]:
    """Every phrase that counts as ``term``: its synonyms plus those of narrower industries."""
    canonical = canonical_industry(term)
    if canonical is None:
        return (fold(term),)
    phrases = [canonical, *TAXONOMY[canonical]]
    for child, parents in PARENTS.items():
        if canonical in parents:
            phrases += [child, *TAXONOMY[child]]
    return tuple(dict.fromkeys(fold(p) for p in phrases))


@dataclass(frozen=True)
class TextField:
    """A piece of company text and where it came from."""

    field: str  # "industry", "keywords", "fact", "description", "name", "domain", "news"
    text: str
    source_url: str | None


@dataclass(frozen=True)
class TermMatch:
    term: str  # the ICP term as written
    phrase: str  # vocabulary phrase found
    field: str
    quote: str
    source_url: str | None
    exact: bool
    mentions: int = 1  # mentions across the facts and description
    in_lead: bool = False  # found in the name or the description's first sentence
    detail: bool = False  # found in the parenthesised detail of a stated industry

    @property
    def strong(self) -> bool:
        """Structured, or what the site leads with or repeats (not a passing mention)."""
        return self.field in STRUCTURED_FIELDS or self.in_lead or self.mentions >= 2


# Fields where the company classifies itself: a match there settles the industry on its own.
STRUCTURED_FIELDS = ("industry", "keywords", "name", "domain")
_TLD_SUFFIX = re.compile(r"\.[a-z]{2,6}$", re.I)  # "IronLedger.ai" names a domain, not an industry
# Pages that talk about events, jobs or posts, not about what the company is.
_NEWS_PAGES = frozenset({"blog", "careers"})


def company_texts(company: Company, *, with_identity: bool = False, with_news: bool = False) -> list[TextField]:
    """Company text in trust order: the industry it states, the topics it lists, then its own
    description and home/about sentences. Blog, news and careers sentences (signals) only with
    ``with_news``: they are about events, not about what the company is. Page bodies are never read."""
    sources = company.sources
    fields: list[TextField] = []
    if with_identity:
        fields.append(TextField("domain", company.domain.replace(".", " "), sources.get("domain")))
        if company.name:
            fields.append(TextField("name", company.name, sources.get("name")))
    if company.industry:
        fields.append(TextField("industry", company.industry, sources.get("industry")))
    if company.keywords:
        fields.append(TextField("keywords", ", ".join(company.keywords), sources.get("keywords")))
    if company.name and not with_identity:  # "Acme Robotics", "Foo AI": the name classifies the company
        fields.append(TextField("name", _TLD_SUFFIX.sub("", company.name), sources.get("name")))
    signal_texts = {" ".join(s.text.split()) for s in company.signals}
    news: list[TextField] = []
    for fact in company.facts:
        if fact.claim == company.description:
            continue
        if fact.claim in signal_texts or page_kind(fact.source_url or "") in _NEWS_PAGES:
            news.append(TextField("news", fact.claim, fact.source_url))
        else:
            fields.append(TextField("fact", fact.claim, fact.source_url))
    if company.description:
        fields.append(TextField("description", company.description, sources.get("description")))
    return fields + news if with_news else fields


@lru_cache(maxsize=1)
def _all_phrases() -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(p) for c, syns in TAXONOMY.items() for p in (c, *syns)))


@lru_cache(maxsize=4096)
def _resolved_hits(folded: str) -> tuple[Hit, ...]:
    """Every taxonomy phrase in the text, the longest winning where they overlap."""
    return tuple(find_all(folded, _all_phrases()))


def _without_compounds(folded: str, phrases: tuple[str, ...], canonical: str | None) -> str:
    """The text with other industries' phrases blanked, so a taxonomy term is not found inside a
    longer phrase that means something else ("consumer" in "consumer finance" is fintech)."""
    if canonical is None:
        return folded
    wanted = set(phrases)
    for hit in _resolved_hits(folded):
        if hit.phrase not in wanted:
            folded = folded[: hit.start] + " " * (hit.end - hit.start) + folded[hit.end:]
    return folded


def match_term(term: str, texts: list[TextField]) -> TermMatch | None:
    """Where ``term`` (or a synonym) is mentioned: the first text in trust order, with how often
    and how prominently the free text mentions it."""
    canonical = canonical_industry(term)
    phrases = vocabulary(term)
    friends = [f for c in ([canonical] if canonical else []) for f in FALSE_FRIENDS.get(c, ())]
    first: TermMatch | None = None
    mentions = 0
    in_lead = False
    for field in texts:
        folded = _without_compounds(_blank(fold_aligned(field.text), friends), phrases, canonical)
        hits = find_all(folded, phrases)
        near = None if hits or first is not None else find_near(folded, phrases)
        found = hits or ([near] if near else [])
        if not found:
            continue
        if field.field in STRUCTURED_FIELDS:
            hit = found[0]
            return TermMatch(term, hit.phrase, field.field, snippet(field.text, hit.start, hit.end),
                             field.source_url, hit.exact, len(found), True, _in_detail(field.text, hit.start))
        mentions += len(found)
        if field.field == "description" and found[0].start < _lead_end(field.text):
            in_lead = True
        if first is None:
            hit = found[0]
            first = TermMatch(term, hit.phrase, field.field, snippet(field.text, hit.start, hit.end),
                              field.source_url, hit.exact)
    if first is None:
        return None
    return replace(first, mentions=mentions, in_lead=in_lead)


def _in_detail(text: str, start: int) -> bool:
    """A stated industry's parenthesised detail ("fintech (consumer finance)") is a narrower claim."""
    paren = text.find("(")
    return 0 <= paren < start


def _blank(text: str, phrases: list[str]) -> str:
    for phrase in phrases:
        text = phrase_pattern(phrase).sub(lambda m: " " * len(m.group()), text)
    return text


def _lead_end(text: str) -> int:
    """End of the first sentence (or line), at most 200 characters in."""
    ends = [i for i in (text.find(". "), text.find("\n")) if i >= 0]
    return min([*ends, 200])
