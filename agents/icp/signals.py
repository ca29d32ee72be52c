"""Required buying signals: parse a brief's wording ("recently funded", "hiring engineers") into a
kind and optional role/keyword, and check a company's signals, hiring flag and open roles."""

from __future__ import annotations

from dataclasses import dataclass

from agents.icp.locations import Verdict
from agents.icp.phrases import find_phrase, fold, fold_aligned
from core.models import Company, Evidence

SIGNAL_VOCABULARY: dict[str, tuple[str, ...]] = {
    "hiring": (
        "hiring", "actively hiring", "recruiting", "job openings", "open roles", "open positions",
        "jobs", "careers", "growing the team", "growing their team", "growing its team", "hires",
    ),
    "funding": (
        "funding", "recently funded", "raising", "raised", "fundraising", "fundraise", "funded",
        "investment", "series a", "series b", "series c", "seed round", "seed funding",
        "venture backed", "vc backed", "new round",
    ),
    "launch": (
        "launch", "launched", "launching", "new product", "product launch", "released",
        "product hunt", "just shipped",
    ),
    "news": ("news", "in the news", "press", "press release", "announcement", "announced", "media coverage"),
    "tech": ("tech", "technology", "tech stack", "uses", "using", "built on", "built with", "stack"),
    "growth": ("growing", "growth", "expanding", "expansion", "scaling", "new office"),
    "partnership": ("partnership", "partners with", "partnered", "integration partner"),
    "acquisition": ("acquisition", "acquired", "acquires", "merger"),
}
_ROLE_STOPWORDS = frozenset(
    "a an the for of and or to more new some who are is that with their its our in on at as".split()
)


@dataclass(frozen=True)
class RequiredSignal:
    kind: str  # a SIGNAL_VOCABULARY key, or the folded phrase for custom signals
    text: str  # as written in the brief
    detail: str | None = None  # role for hiring ("engineer"), keyword for tech ("kubernetes")


@dataclass(frozen=True)
class SignalCheck:
    verdict: Verdict
    reason: str
    evidence: tuple[Evidence, ...] = ()


def parse_signal(text: str) -> RequiredSignal:
    """"hiring engineers" -> hiring/engineer; "raising" -> funding; "uses Kubernetes" -> tech/kubernetes."""
    folded = fold_aligned(text)
    best: tuple[int, str, int] | None = None
    for kind, phrases in SIGNAL_VOCABULARY.items():
        hit = find_phrase(folded, (kind, *phrases))
        if hit and hit.exact and (best is None or hit.start < best[0]):
            best = (hit.start, kind, hit.end)
    if best is None:
        return RequiredSignal(kind=fold(text), text=text)
    _, kind, end = best
    rest = [w for w in fold(folded[end:]).split() if w not in _ROLE_STOPWORDS]
    detail = " ".join(_singular(w) for w in rest) if rest and kind in ("hiring", "tech") else None
    return RequiredSignal(kind=kind, text=text, detail=detail or None)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _mentions(text: str, detail: str) -> bool:
    """Every detail word starts some word of ``text`` ("engineer" fits "Engineering Manager")."""
    words = fold(text).split()
    return all(any(w.startswith(d) for w in words) for d in detail.split())


def _kind_of(signal_kind: str) -> str:
    key = fold(signal_kind)
    for kind, phrases in SIGNAL_VOCABULARY.items():
        if key == kind or key in phrases:
            return kind
    return key


def check_signal(required: RequiredSignal, company: Company) -> SignalCheck:
    """Present (MATCH), known absent (MISMATCH: only a hiring flag of False or open roles that
    exclude the requested role can say so) or not found (UNKNOWN)."""
    label = required.text
    same_kind = [s for s in company.signals if _kind_of(s.kind) == required.kind]
    if required.kind not in SIGNAL_VOCABULARY:  # a custom signal: look for its words
        same_kind = [s for s in company.signals if _mentions(f"{s.kind} {s.text}", required.kind)]
    if required.detail:
        same_kind = [s for s in same_kind if _mentions(s.text, required.detail)]
    if same_kind:
        first = same_kind[0]
        return SignalCheck(
            Verdict.MATCH,
            f"Required signal '{label}' found: {first.text.strip()[:160]}",
            tuple(Evidence(claim=s.text.strip()[:300], source_url=s.source_url) for s in same_kind[:3]),
        )
    if required.kind == "hiring":
        return _check_hiring(required, company)
    return SignalCheck(Verdict.UNKNOWN, f"No '{label}' signal found (required)")


def _check_hiring(required: RequiredSignal, company: Company) -> SignalCheck:
    label = required.text
    url = company.sources.get("open_roles") or company.sources.get("is_hiring")
    roles = company.open_roles
    if required.detail:
        fitting = [r for r in roles if _mentions(r, required.detail)]
        if fitting:
            evidence = (Evidence(claim=f"Open roles: {', '.join(fitting[:5])}", source_url=url),) if url else ()
            return SignalCheck(Verdict.MATCH, f"Hiring for '{required.detail}': {', '.join(fitting[:3])}", evidence)
        if roles:
            return SignalCheck(
                Verdict.MISMATCH,
                f"Open roles ({', '.join(roles[:3])}) include none for '{required.detail}' (required: {label})",
            )
    elif roles:
        evidence = (Evidence(claim=f"Open roles: {', '.join(roles[:5])}", source_url=url),) if url else ()
        return SignalCheck(Verdict.MATCH, f"Hiring: {len(roles)} open role(s) listed", evidence)
    if company.is_hiring is False:
        return SignalCheck(Verdict.MISMATCH, f"Not hiring (required: {label})")
    if company.is_hiring is True:
        evidence = (Evidence(claim="The company is hiring", source_url=url),) if url else ()
        if required.detail:
            return SignalCheck(
                Verdict.UNKNOWN, f"Hiring, but no open role names to confirm '{required.detail}' (required)", evidence
            )
        return SignalCheck(Verdict.MATCH, "The company is hiring", evidence)
    return SignalCheck(Verdict.UNKNOWN, f"No hiring signal found (required: {label})")
