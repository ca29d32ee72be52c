"""Rules that classify the new text of a reply: out-of-office (RFC 3834 headers and phrasings in
en/de/fr/es), unsubscribe request, negative, positive or neutral. Quoted history never counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.tracking.inbound import InboundMessage

# Where the quoted history of a reply starts: attribution lines and client separators.
_ATTRIBUTION = re.compile(
    r"^\s*(On|Am|Le|El)\b.{0,200}\b(wrote|schrieb[^:]{0,60}|a écrit|escribió)\s*:\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTION_OPEN = re.compile(r"^\s*(On|Am|Le|El)\b", re.IGNORECASE)
_SEPARATORS = [
    re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|"
               r"Mensaje original|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*(From|Von|De)\s*:\s.+$", re.IGNORECASE),
]
_SIGNATURE = re.compile(r"^--\s?$")

AUTO_REPLY_HEADERS = {
    "auto-submitted": ("auto-replied", "auto-generated", "auto-notified"),
    "x-autoreply": (),
    "x-autorespond": (),
    "x-auto-response-suppress": (),
    "precedence": ("auto_reply", "auto-reply"),
}

_OOO = re.compile(
    r"out of (the )?office|\bOOO\b|on (annual |parental |sick |maternity |paternity )?leave|"
    r"on (vacation|holiday)|away from (the office|my desk)|limited access to (my )?e-?mail|"
    r"automatic reply|auto(matic)?[- ]?reply|currently (away|travell?ing|out)|I am away|I'm away|"
    r"abwesenheitsnotiz|nicht im büro|außer haus|ausser haus|im urlaub|abwesend|"
    r"automatische antwort|keinen zugriff auf (meine )?e-?mails|"
    r"absent(e)? du bureau|en congés?|en vacances|réponse automatique|je suis absent|"
    r"actuellement absent|"
    r"fuera de la oficina|de vacaciones|respuesta automática|estoy ausente|ausente",
    re.IGNORECASE,
)
_UNSUBSCRIBE = re.compile(
    r"\bunsubscribe\b|\bremove me\b|\btake me off\b|\bstop (e-?mailing|emailing|contacting|writing|sending)\b|"
    r"\bdo not (contact|email|e-mail) me\b|\bdon'?t (contact|email|e-mail) me\b|\bopt(ed)?[- ]out\b|"
    r"\bremove (my|this) (e-?mail|address)\b|\boff (your|the) (mailing )?list\b|"
    r"\babmelden\b|\baustragen\b|\bkeine (weiteren )?(e-?mails|nachrichten) mehr\b|"
    r"\bdésabonner\b|\bdésinscri|\bne plus recevoir\b|\bretirez[- ]moi\b|"
    r"\bdar(me)? de baja\b|\bno me (escriba|escribas|contacte|contactes)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\bnot interested\b|\bno thanks?\b|\bno,? thank you\b|\bnot (a|the right) fit\b|"
    r"\bnot for us\b|\bnot (right )?now\b|\bnot at (this|the moment)|\bwe'?re all set\b|"
    r"\bno need\b|\bnot looking\b|\bno interest\b|\bplease don'?t\b|\bpass on this\b|"
    r"\bkein(en)? interesse\b|\bnicht interessiert\b|\bnein,? danke\b|\bkein bedarf\b|"
    r"\bpas intéressée?s?\b|\bnon,? merci\b|\bça ne m'intéresse pas\b|"
    r"\bno (estoy|estamos) interesad[oa]s?\b|\bno me interesa\b|\bno,? gracias\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"\binterested\b|\blet'?s (talk|chat|connect|meet|set up)\b|\bbook (a|some) (call|time|meeting)\b|"
    r"\bschedule (a|some) (call|time|meeting)\b|\bsounds (good|great|interesting)\b|"
    r"\bhappy to (chat|talk|meet|connect)\b|\btell me more\b|\bsend (me )?(more )?(info|details)\b|"
    r"\b(are|would) you (be )?(free|available)\b|\bhow about\b|\bworks for me\b|\bcall me\b|"
    r"\binteressiert\b|\bklingt gut\b|\bgerne\b|\btermin\b|\blassen sie uns\b|"
    r"\bintéressée?s?\b|\bavec plaisir\b|\bça m'intéresse\b|\bparlons\b|"
    r"\binteresad[oa]s?\b|\bme interesa\b|\bsuena bien\b|\bhablemos\b|\bcon gusto\b",
    re.IGNORECASE,
)
_WEEKDAY = (r"(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?|montag|dienstag|mittwoch|"
            r"donnerstag|freitag|lundi|mardi|mercredi|jeudi|vendredi|lunes|martes|miércoles|jueves|viernes")
_PROPOSED_TIME = re.compile(
    rf"\b({_WEEKDAY}|tomorrow|morgen|demain|mañana|next week)\b.{{0,40}}"
    r"(\b\d{1,2}(:\d{2})?\s*(am|pm|h|uhr)\b|\b\d{1,2}:\d{2}\b)",
    re.IGNORECASE,
)
EXCERPT_CHARS = 300


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    confidence: float


def new_text(text: str) -> str:
    """The part of a reply its sender wrote now: above the quoted history and the signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or _SIGNATURE.match(line):
            break
        if _ATTRIBUTION.match(line) or any(p.match(line) for p in _SEPARATORS):
            break
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # Clients wrap long attributions over two lines ("On Mon, 2 Nov 2026, Ana Ruiz\n<ana@...> wrote:").
        if (_ATTRIBUTION_OPEN.match(line) and not _ATTRIBUTION_OPEN.match(following)
                and _ATTRIBUTION.match(f"{line} {following}".strip())):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def auto_reply_header(message: InboundMessage) -> bool:
    """RFC 3834 and the vendor headers autoresponders set."""
    for name, values in AUTO_REPLY_HEADERS.items():
        value = message.header(name).lower()
        if not value or value == "no":
            continue
        if not values or value in values:
            return True
    return False


def is_out_of_office(message: InboundMessage, text: str) -> bool:
    if _OOO.search(message.subject) or _OOO.search(text):
        return True
    return auto_reply_header(message) and bool(text)


def classify_text(text: str) -> Verdict:
    """Unsubscribe beats negative beats positive: "sounds good, but remove me" is a removal."""
    if _UNSUBSCRIBE.search(text):
        return Verdict("unsubscribe", 0.9)
    if _NEGATIVE.search(text):
        return Verdict("negative", 0.85)
    if _PROPOSED_TIME.search(text):
        return Verdict("positive", 0.8)
    if _POSITIVE.search(text):
        return Verdict("positive", 0.75)
    return Verdict("neutral", 0.5)


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS - 1].rstrip() + "…"
