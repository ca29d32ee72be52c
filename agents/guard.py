"""Draft guard: removes claims the company's own pages do not support and flags compliance,
spam and recipient problems before a person ever reviews a draft."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from urllib.parse import urlsplit

import tldextract

from core.models import CampaignBrief, Claim, Company, Draft, Lead

MAX_SUBJECT_CHARS = 60
# The compliance footer starts at a line holding only "--"; words below it are not counted
# against ``max_words`` (the footer is fixed legal text, not copy).
FOOTER_MARK = "\n--\n"

_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*[mbk]?\b|[^\W\d_]+")
_NUMBER = re.compile(r"[0-9]")
_AMOUNT = re.compile(r"([0-9]+(?:[.,][0-9]+)*)\s?(million|billion|thousand|mn|mm|bn|m|b|k)\b")
_STOP = frozenset(
    "a an and are as at be by for from has have in into is it its of on or our that the their this "
    "to was we were will with you your they them he she his her i us so than then also just very "
    "my me do no up if".split()
)
_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{[A-Za-z_][A-Za-z0-9_]*\}|<[A-Z][A-Z0-9_]{2,}>"
    r"|\[(?:[A-Z][a-z]*|[a-z]+)(?:[ _-][A-Za-z]+)*\]"
)
_DECEPTIVE_SUBJECT = re.compile(
    r"^\s*(?:re|fwd?|aw|wg|sv)\s*:|\burgent\b|\basap\b|\binvoice\b|\bpayment (?:due|overdue|failed)\b"
    r"|\boverdue\b|\bfinal notice\b|\baction required\b|\baccount (?:suspended|locked)\b"
    r"|\bverify your\b|\byour order\b|\bpassword\b|\breceipt\b|\bdelivery failed\b",
    re.IGNORECASE,
)
SPAM_PHRASES = (
    "act now", "limited time", "click here", "buy now", "100% free", "free money", "risk-free",
    "risk free", "no obligation", "guaranteed", "guarantee you", "once in a lifetime", "winner",
    "you have been selected", "congratulations you", "special promotion", "cash bonus", "double your",
    "make money", "earn money", "miracle", "this is not spam", "this isn't spam", "don't delete",
    "amazing opportunity", "revolutionary", "game-changer", "game changer", "skyrocket", "10x your",
    "best in class", "cutting-edge", "world-class", "unbelievable", "exclusive deal", "dear friend",
)
_ROLE_LOCALS = frozenset(
    "info hello hi contact contacts sales team support help careers jobs hr press media office admin "
    "marketing partners partnerships business enquiries inquiries founders hey general".split()
)
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, no network


@cache
def registrable_domain(host_or_email: str) -> str:
    """``jobs.acme.co.uk`` / ``jane@mail.acme.co.uk`` -> ``acme.co.uk`` (lower case)."""
    host = host_or_email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    if "://" in host:
        host = urlsplit(host).hostname or ""
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or host


def is_role_address(email: str) -> bool:
    return email.split("@", 1)[0].lower().replace(".", "").replace("-", "") in _ROLE_LOCALS


_UNIT = {"million": "m", "mn": "m", "mm": "m", "billion": "b", "bn": "b", "thousand": "k"}


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    text = _AMOUNT.sub(lambda m: m[1].replace(",", "") + _UNIT.get(m[2], m[2]), text)  # "$12 million" = "$12M"
    return [_stem(t) for t in _WORD.findall(text)]


def _stem(token: str) -> str:
    """A crude English stemmer: enough that "launched"/"launches"/"launch" compare equal."""
    if _NUMBER.search(token):
        return token.replace(",", "")
    if token.endswith("ies") and len(token) > 4:
        token = token[:-3] + "y"
    elif token.endswith(("ches", "shes", "sses", "xes", "zes")):
        token = token[:-2]
    elif token.endswith("s") and not token.endswith(("ss", "us", "is")) and len(token) > 3:
        token = token[:-1]
    elif token.endswith("ing") and len(token) > 5:
        token = token[:-3]
    elif token.endswith("ed") and len(token) > 4:
        token = token[:-2]
    if token.endswith("e") and len(token) > 3:
        token = token[:-1]
    return token


def is_supported(claim_text: str, page_text: str) -> bool:
    """True when the page carries the claim: the normalised claim appears verbatim, or all of its
    numbers and short identifiers and at least 3/4 of its other content words (stemmed) appear on the page."""
    claim, page = _tokens(claim_text), _tokens(page_text)
    content = [t for t in claim if t not in _STOP]
    if len(content) < 2 or not page:  # a lone word is not a verifiable statement
        return False
    if f" {' '.join(claim)} " in f" {' '.join(page)} ":
        return True
    page_set = set(page)
    # numbers and short tokens (a series letter, an acronym) identify the fact: all must be there
    if any(t not in page_set for t in content if _NUMBER.search(t) or len(t) <= 2):
        return False
    words = [t for t in content if not _NUMBER.search(t) and len(t) > 2]
    if not words:
        return False
    return sum(1 for t in words if t in page_set) / len(words) >= 0.75


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")


def page_text(company: Company, url: str) -> str | None:
    """The visible text of one of the company's pages, matching URLs loosely (scheme, www, slash)."""
    if url in company.pages:
        return company.pages[url]
    key = _url_key(url)
    for page_url, text in company.pages.items():
        if _url_key(page_url) == key:
            return text
    return None


def lint_spam(text: str) -> list[str]:
    """Spam and hype findings in ``text``: ``phrase:<p>``, ``all_caps``, ``exclamations``."""
    lowered = text.lower()
    findings = [f"phrase:{p}" for p in SPAM_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", lowered)]
    words = re.findall(r"[A-Za-z]{2,}", text)
    shouting = [w for w in words if len(w) >= 4 and w.isupper()]
    if len(shouting) >= 3 or (shouting and len(shouting) / max(len(words), 1) > 0.1):
        findings.append("all_caps")
    if text.count("!") >= 2:
        findings.append("exclamations")
    return findings


def own_copy(subject: str, body: str, claims: list[Claim]) -> str:
    """What a spam filter judges as our writing: the subject and the body above the compliance
    footer (fixed legal text would dilute the caps ratio), minus the company's own quoted words.
    A company name is part of our copy: written "PARES AI" three times, it shouts."""
    text = subject + "\n" + (body.rsplit(FOOTER_MARK, 1)[0] if FOOTER_MARK in body else body)
    for claim in claims:
        text = text.replace(claim.text, " ")
    return text


def body_word_count(body: str) -> int:
    """Words above the compliance footer (the last line holding only ``--``)."""
    main = body.rsplit(FOOTER_MARK, 1)[0] if FOOTER_MARK in body else body
    return len(main.split())


def _squash(text: str) -> str:
    return " ".join(_tokens(text))


def _drop_sentences_like(body: str, claim_text: str) -> str:
    """Remove the sentence(s) of ``body`` that state ``claim_text`` (most claim words present)."""
    claim = set(_tokens(claim_text)) - _STOP
    if not claim:
        return body
    kept_lines = []
    for line in body.split("\n"):
        sentences = re.split(r"(?<=[.!?])\s+", line)
        kept = [s for s in sentences if len(claim & set(_tokens(s))) / len(claim) < 0.6]
        if sentences and not kept and line.strip():
            continue
        kept_lines.append(" ".join(kept))
    return "\n".join(kept_lines)


def _recipient_allowed(email: str, lead: Lead) -> bool:
    company = lead.company
    if company is None:
        return False
    known = {c.email.strip().lower() for c in lead.contacts if c.email}
    email = email.strip().lower()
    return email in known and registrable_domain(email) == registrable_domain(company.domain)


def check_draft(draft: Draft, lead: Lead, brief: CampaignBrief, *, max_words: int = 120) -> Draft:
    """Return a copy of ``draft`` with unsupported claims removed and every finding in ``flags``."""
    flags = list(draft.flags)
    body, subject = draft.body, draft.subject
    company = lead.company

    claims = []
    for claim in draft.claims:
        text = page_text(company, claim.source_url) if company else None
        if text is not None and is_supported(claim.text, text):
            claims.append(claim)
        else:
            flags.append("unsupported_claim_removed")
            body = _drop_sentences_like(body, claim.text)
    if draft.step == 1 and not claims:
        flags.append("no_claim")  # a follow-up may lean on the first touch's fact

    lowered = body.lower()
    if "unsubscribe" not in lowered:
        flags.append("missing_opt_out")
    if _squash(brief.sender.postal_address) not in _squash(body):
        flags.append("missing_postal_address")
    if brief.sender.name.lower() not in lowered or brief.sender.company.lower() not in lowered:
        flags.append("missing_sender_identity")
    if _PLACEHOLDER.search(subject) or _PLACEHOLDER.search(body):
        flags.append("unresolved_placeholder")
    if len(subject) > MAX_SUBJECT_CHARS:
        flags.append("subject_too_long")
    if body_word_count(body) > max_words:
        flags.append("body_too_long")
    if _DECEPTIVE_SUBJECT.search(subject):
        flags.append("deceptive_subject")
    if lint_spam(own_copy(subject, body, claims)):
        flags.append("spam_phrasing")

    to_email, to_name = draft.to_email, draft.to_name
    if to_email and not _recipient_allowed(to_email, lead):
        flags.append("recipient_not_on_company_domain")
        to_email, to_name = None, None
    if to_email is None and "no_recipient" not in flags:
        flags.append("no_recipient")

    return draft.model_copy(update={
        "subject": subject, "body": body, "claims": claims, "to_email": to_email,
        "to_name": to_name, "flags": list(dict.fromkeys(flags)),
    })
