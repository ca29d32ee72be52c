"""E-mail addresses in page text: de-obfuscation, role inboxes, name patterns and pattern-based guesses."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from urllib.parse import unquote

from tools.extract.domains import email_on_domain, has_public_suffix

EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})(?![\w-])")
ROLE_LOCALS = {
    "hello", "hi", "info", "contact", "sales", "support", "team", "press", "jobs", "careers", "admin",
    "office", "help", "media", "marketing", "partners", "partnerships", "billing", "hr", "legal", "privacy",
    "security", "noreply", "no-reply", "feedback", "general", "enquiries", "inquiries", "kontakt", "hallo",
    "bonjour", "recruiting", "talent", "investors", "ir", "abuse", "webmaster", "postmaster", "accounts",
    "studio", "mail", "email", "enquiry", "inquiry", "orders", "service", "customerservice", "bookings", "booking",
    "reception", "newbusiness", "new-business", "hiring", "finance", "ops", "operations", "community", "events",
    "dpo", "datenschutz", "impressum", "presse", "contacto", "ventas", "vertrieb",
}
_BRACKETED_AT = r"\s*[\[\(\{<]\s*(?:at|@|ät)\s*[\]\)\}>]\s*"
_BRACKETED_DOT = r"\s*[\[\(\{<]\s*(?:dot|\.|punkt|point)\s*[\]\)\}>]\s*"
# "jane dot doe at acme dot co dot uk": words instead of punctuation (the domain must spell its dots out).
_WORDY = re.compile(
    r"(?<![\w.+-])([\w+-]+(?:\s+(?:dot|DOT)\s+[\w+-]+)*)\s+(?:at|AT)\s+([\w-]+(?:\s+(?:dot|DOT)\s+[\w-]+)+)\b"
)
# Words that are never the local part of a spelled-out address ("find us at acme dot com").
_NOT_LOCAL = {"us", "me", "you", "them", "him", "her", "it", "we", "online", "here", "there", "now", "or", "and"}
# Reserved and placeholder domains, and placeholder mailboxes, as used in form hints and docs.
_PLACEHOLDER_DOMAIN = re.compile(
    r"^(?:[\w-]+\.)*(?:example\.(?:com|org|net)"
    r"|(?:your|my)-?(?:domain|company|site|website|business|email)\.[a-z.]+|domain\.com|email\.tld)$"
)
_PLACEHOLDER_LOCAL = {
    "you", "yourname", "your.name", "your-name", "youremail", "your.email", "firstname.lastname", "first.last",
    "firstname", "name", "username",
}
_FILE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|svg|webp|avif|ico|bmp|tiff?|heic|css|m?js|json|map|woff2?|ttf)$")
_CF_SPAN = re.compile(r"<(a|span)\b[^>]*\bdata-cfemail=[\"']([0-9a-fA-F]+)[\"'][^>]*>.*?</\1>", re.S | re.I)
_CF_HREF = re.compile(r"(href=[\"'])/cdn-cgi/l/email-protection#([0-9a-fA-F]+)", re.I)


def decode_cloudflare(hex_string: str) -> str:
    """Cloudflare's email protection: first byte is an XOR key for the rest."""
    data = bytes.fromhex(hex_string)
    return bytes(b ^ data[0] for b in data[1:]).decode("utf-8", "replace") if data else ""


def reveal_protected(html: str) -> str:
    """Put addresses hidden by Cloudflare's email protection back into the HTML as plain text/mailto."""
    html = _CF_SPAN.sub(lambda m: decode_cloudflare(m.group(2)), html)
    return _CF_HREF.sub(lambda m: f"{m.group(1)}mailto:{decode_cloudflare(m.group(2))}", html)


def deobfuscate(text: str) -> str:
    """'jane [at] acme [dot] com', 'jane(at)acme.com', 'jane @ acme.com', and 'jane dot doe at acme dot com'
    when the spelled-out domain ends in a real public suffix (so 'meet at noon dot five' stays prose)."""
    text = text.replace("\uff20", "@").replace("\uff0e", ".")  # full-width @ and .
    text = re.sub(
        rf"([\w+-]+(?:(?:{_BRACKETED_DOT}|\.)[\w+-]+)*){_BRACKETED_AT}([\w-]+(?:(?:{_BRACKETED_DOT}|\.)[\w-]+)+)",
        _join_at, text, flags=re.I,
    )
    text = re.sub(r"(?<![\w.+-])([\w.+-]+)\s+@\s+([\w-]+(?:\.[\w-]+)+)", r"\1@\2", text)
    return _WORDY.sub(_join_words, text)


def _join_at(match: re.Match[str]) -> str:
    local = re.sub(_BRACKETED_DOT, ".", match.group(1), flags=re.I)
    domain = re.sub(_BRACKETED_DOT, ".", match.group(2), flags=re.I)
    return f"{local}@{domain}"


def _join_words(match: re.Match[str]) -> str:
    local = re.sub(r"(?i)\s+dot\s+", ".", match.group(1))
    domain = re.sub(r"(?i)\s+dot\s+", ".", match.group(2))
    if local.lower() in _NOT_LOCAL or not has_public_suffix(domain):
        return match.group(0)
    return f"{local}@{domain}"


def is_placeholder(email: str) -> bool:
    """Form hints and documentation addresses (``you@company.com``, ``name@example.com``), not real inboxes."""
    local, _, domain = email.lower().partition("@")
    return bool(_PLACEHOLDER_DOMAIN.match(domain)) or local in _PLACEHOLDER_LOCAL


def find_emails(text: str) -> list[str]:
    """Addresses in (de-obfuscated) text, lower-cased, in order, without duplicates."""
    found: list[str] = []
    for match in EMAIL.finditer(deobfuscate(unquote(text))):
        email = f"{match.group(1)}@{match.group(2)}".lower().strip(".")
        if email not in found and not _FILE_SUFFIX.search(email) and not is_placeholder(email):
            found.append(email)
    return found


def is_role(email: str) -> bool:
    local = email.split("@", 1)[0].lower()
    return local in ROLE_LOCALS or local.split("+")[0] in ROLE_LOCALS


def _ascii(token: str) -> str:
    token = unicodedata.normalize("NFKD", token.replace("ß", "ss"))
    return re.sub(r"[^a-z]", "", token.encode("ascii", "ignore").decode().lower())


def _name_parts(name: str) -> tuple[str, list[str]] | None:
    # Honorifics and middle initials ("Dr.", "J.") are not part of an address.
    words = [w for w in name.split() if not (w.endswith(".") and len(w) <= 4)]
    tokens = [_ascii(w) for w in words if _ascii(w)]
    if len(tokens) < 2:
        return None
    lasts = [tokens[-1], "".join(tokens[1:])]
    return tokens[0], list(dict.fromkeys(lasts))


PATTERNS = ("first.last", "first", "flast", "firstl", "firstlast", "first_last", "first-last", "f.last", "last")


def render_pattern(pattern: str, first: str, last: str) -> str:
    return {
        "first.last": f"{first}.{last}", "first": first, "flast": f"{first[0]}{last}",
        "firstl": f"{first}{last[0]}", "firstlast": f"{first}{last}", "first_last": f"{first}_{last}",
        "first-last": f"{first}-{last}", "f.last": f"{first[0]}.{last}", "last": last,
    }[pattern]


def pattern_of(name: str, email: str) -> str | None:
    """Which local-part pattern ``email`` follows for ``name`` (None if it does not belong to the name)."""
    parts = _name_parts(name)
    if parts is None:
        return None
    local = email.split("@", 1)[0].lower()
    first, lasts = parts
    for pattern in PATTERNS:
        if any(render_pattern(pattern, first, last) == local for last in lasts):
            return pattern
    return None


def could_be_for(name: str, email: str) -> bool:
    """False when the address plainly belongs to someone else: "nadia.osei@" is not Clara Petrova's,
    "lsato@" is not Omar Raman's. Unusual forms of the person's own name ("anap@", "a.pereira@") pass."""
    parts = _name_parts(name)
    if parts is None:
        return True
    first, lasts = parts
    tokens = [t for t in re.split(r"[._-]+", email.split("@", 1)[0].lower()) if t]
    if len(tokens) >= 2:
        return any(t in (first, *lasts) or len(t) == 1 for t in tokens)
    return bool(tokens) and tokens[0][0] in (first[0], lasts[0][0])


def _shape(local: str) -> tuple[str, float] | None:
    """Pattern guessed from an address alone, with how sure the shape is."""
    if re.fullmatch(r"[a-z]{2,}\.[a-z]{2,}", local):
        return "first.last", 0.6
    if re.fullmatch(r"[a-z]\.[a-z]{2,}", local):
        return "f.last", 0.6
    if re.fullmatch(r"[a-z]{2,}_[a-z]{2,}", local):
        return "first_last", 0.6
    if re.fullmatch(r"[a-z]{2,}-[a-z]{2,}", local):
        return "first-last", 0.6
    if re.fullmatch(r"[a-z]{2,}", local):
        return "first", 0.3  # could be first, flast or last: weak evidence
    return None


def guess_email(
    name: str, domain: str, known_emails: Iterable[str], known_names: Iterable[str] = ()
) -> tuple[str, float] | None:
    """Address for ``name`` following the pattern of other personal addresses on ``domain``.

    Confidence stays below 1 (0.85 at most); without any personal address to learn from there is no guess.
    """
    parts = _name_parts(name)
    if parts is None:
        return None
    names = list(known_names)
    votes: dict[str, float] = {}
    hosts: Counter[str] = Counter()
    for email in known_emails:
        email = email.lower()
        if not email_on_domain(email, domain) or is_role(email):
            continue
        hosts[email.split("@", 1)[1]] += 1
        confirmed = next((p for n in names if (p := pattern_of(n, email))), None)
        if confirmed:
            votes[confirmed] = votes.get(confirmed, 0.0) + 1.0
        elif shape := _shape(email.split("@", 1)[0]):
            votes[shape[0]] = votes.get(shape[0], 0.0) + shape[1]
    if not votes:
        return None
    pattern, weight = max(votes.items(), key=lambda kv: kv[1])
    share = weight / sum(votes.values())
    confidence = round(min(0.85, (0.35 + 0.2 * min(weight, 2.5)) * share), 2)
    first, lasts = parts
    host = hosts.most_common(1)[0][0]
    return f"{render_pattern(pattern, first, lasts[0])}@{host}", confidence
