"""One assessment per ICP dimension (exclusions, industry, location, size, signals): a credit in
[0, 1], whether the fact was known, whether a hard constraint failed, plain-sentence reasons and
evidence cited from the company object."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.icp.industries import company_texts, match_term
from agents.icp.locations import Verdict, company_places, compare, parse_target
from agents.icp.phrases import fold
from agents.icp.signals import check_signal, parse_signal
from core.models import ICP, Company, Evidence

# Credit for a fact we could not establish: enough to keep a lead that is otherwise strong,
# never enough to carry a weak one. Location is usually findable, so its absence counts more.
UNKNOWN_CREDIT = {"industry": 0.25, "location": 0.25, "size": 0.5, "signals": 0.5}
# An industry found only in the free text: (strong = in the lead sentence or mentioned twice,
# how much the company classified itself elsewhere without naming the term: 0 = no industry
# and no topic list, 1 = an industry, 2 = an industry and a topic list) -> credit. The company's
# own classification outranks its prose: a lead mention next to an industry that says otherwise
# still counts, but not next to an industry and a topic list that both leave the term out.
DESCRIPTION_CREDIT = {
    (True, 0): 0.85, (True, 1): 0.6, (True, 2): 0.4,
    (False, 0): 0.6, (False, 1): 0.3, (False, 2): 0.2,
}
# Topics the company lists for itself (tags, "focus areas") or puts in its name ("Foo Robotics"),
# by whether it also states an industry (that did not match): a secondary classification next to
# a different primary industry counts for less.
KEYWORD_CREDIT = {False: 0.9, True: 0.7}
# A fit needs these dimensions established at least this well when the ICP names them:
# a company whose business or place we could not establish is not called a fit, and a signal the
# brief requires ("hiring") must be found: a brief that asks for it wants evidence, not a guess.
CORE_MIN_CREDIT = {"industry": 0.5, "location": 0.5, "signals": 1.0}


@dataclass
class Assessment:
    dimension: str
    credit: float
    known: float  # 0..1, share of the dimension's facts that were known
    hard_fail: bool = False
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def assess_exclusions(icp: ICP, company: Company) -> Assessment | None:
    if not icp.exclude:
        return None
    texts = company_texts(company, with_identity=True, with_news=True)
    domain = company.domain.lower().removeprefix("www.")
    for term in icp.exclude:
        key = fold(term).removeprefix("www.")
        if "." in key and " " not in key:
            if domain == key or domain.endswith("." + key):
                return Assessment("exclude", 0.0, 1.0, True, [f"Excluded: the domain {domain} matches '{term}'"])
            continue
        hit = match_term(term, texts)
        if hit:
            where = {"domain": "the domain", "name": "the name", "industry": "the industry"}.get(hit.field, "the site")
            evidence = [Evidence(claim=hit.quote, source_url=hit.source_url)] if hit.source_url else []
            return Assessment(
                "exclude", 0.0, 1.0, True,
                [f"Excluded by '{term}': {where} mentions '{hit.phrase}' (\"{_quote(hit.quote)}\")"], evidence,
            )
    return Assessment("exclude", 1.0, 1.0, False, [f"No exclusion applies ({', '.join(icp.exclude)})"])


def assess_industry(icp: ICP, company: Company) -> Assessment | None:
    if not icp.industries:
        return None
    texts = company_texts(company)
    if not texts:
        return Assessment("industry", UNKNOWN_CREDIT["industry"], 0.0, reasons=[
            f"Industry unknown: nothing to compare with {', '.join(icp.industries)}"])
    best = None
    for term in icp.industries:
        hit = match_term(term, texts)
        if hit is None:
            continue
        if hit.field == "industry":
            credit = 1.0 if hit.exact and not hit.detail else 0.9
        elif hit.field in ("keywords", "name"):
            credit = KEYWORD_CREDIT[bool(company.industry)]
        else:
            classified = 2 if company.industry and company.keywords else int(bool(company.industry or company.keywords))
            credit = DESCRIPTION_CREDIT[(hit.strong, classified)]
        if best is None or credit > best[0]:
            best = (credit, hit)
    if best is None:
        shown = f" (industry: '{_quote(company.industry, 80)}')" if company.industry else ""
        return Assessment("industry", 0.0, 1.0, reasons=[
            f"Industry does not match {', '.join(icp.industries)}{shown}"])
    credit, hit = best
    if hit.field == "industry":
        reason = f"Industry matches '{hit.term}': the industry is \"{_quote(hit.quote)}\""
    elif hit.field == "keywords":
        reason = f"Industry matches '{hit.term}': the site lists \"{_quote(hit.quote)}\" among its topics"
    elif hit.field == "name":
        reason = f"Industry matches '{hit.term}': the company's name is \"{_quote(hit.quote)}\""
    else:
        how = "" if hit.strong else " (a single passing mention)"
        reason = f"Industry matches '{hit.term}'{how}: the site describes \"{_quote(hit.quote)}\""
    evidence = [Evidence(claim=_quote(hit.quote, 300), source_url=hit.source_url)] if hit.source_url else []
    return Assessment("industry", credit, 1.0, reasons=[reason], evidence=evidence)


def assess_location(icp: ICP, company: Company) -> Assessment | None:
    targets = [(t, parse_target(t)) for t in icp.locations]
    if not targets or any(p is not None and p.anywhere for _, p in targets):
        return None
    wanted = ", ".join(icp.locations)
    places = company_places(company)
    url = company.sources.get("locations") or company.sources.get("country")
    for text, place in places:
        for term, target in targets:
            matched = (
                compare(place, target) is Verdict.MATCH if target is not None
                else fold(term) in fold(text)
            )
            if matched:
                evidence = [Evidence(claim=f"Located in {text}", source_url=url)] if url else []
                return Assessment("location", 1.0, 1.0, reasons=[f"Location '{text}' matches '{term}'"], evidence=evidence)
    known = [(text, place) for text, place in places if place.known]
    recognised = [t for _, t in targets if t is not None]
    if known and recognised and all(
        compare(place, t) is Verdict.MISMATCH for _, place in known for t in recognised
    ) and len(recognised) == len(targets):
        shown = "; ".join(text for text, _ in known)
        return Assessment("location", 0.0, 1.0, True, [f"Location '{shown}' is outside {wanted} (hard constraint)"])
    shown = "; ".join(text for text, _ in places)
    detail = f"'{shown}' does not say enough" if places else "no location found"
    return Assessment("location", UNKNOWN_CREDIT["location"], 0.0, reasons=[f"Location unknown for {wanted}: {detail}"])


def _range_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def assess_size(icp: ICP, company: Company) -> Assessment | None:
    low, high = icp.min_employees, icp.max_employees
    if low is None and high is None:
        return None
    wanted = _range_text(low, high)
    size = company.team_size
    if size is None:
        return Assessment("size", UNKNOWN_CREDIT["size"], 0.0, reasons=[f"Team size unknown: cannot check {wanted}"])
    url = company.sources.get("team_size")
    evidence = [Evidence(claim=f"Team size {size}", source_url=url)] if url else []
    if low is not None and size < low:
        return Assessment("size", 0.0, 1.0, True, [f"Team size {size} is below {wanted} (hard constraint)"], evidence)
    if high is not None and size > high:
        return Assessment("size", 0.0, 1.0, True, [f"Team size {size} is above {wanted} (hard constraint)"], evidence)
    return Assessment("size", 1.0, 1.0, reasons=[f"Team size {size} is within {wanted}"], evidence=evidence)


def assess_signals(icp: ICP, company: Company) -> Assessment | None:
    if not icp.signals:
        return None
    checks = [check_signal(parse_signal(s), company) for s in icp.signals]
    credit_of = {Verdict.MATCH: 1.0, Verdict.UNKNOWN: UNKNOWN_CREDIT["signals"], Verdict.MISMATCH: 0.0}
    return Assessment(
        "signals",
        credit=sum(credit_of[c.verdict] for c in checks) / len(checks),
        known=sum(c.verdict is not Verdict.UNKNOWN for c in checks) / len(checks),
        hard_fail=any(c.verdict is Verdict.MISMATCH for c in checks),
        reasons=[c.reason for c in checks],
        evidence=[e for c in checks for e in c.evidence],
    )
