"""Inbound replies: classify (rules by default, an optional LLM callable), thread them to the
outbox message they answer, and apply them: stop, pause or suppress the contact's sequence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.db.store import Store
from tools.tracking import store
from tools.tracking.classify import (
    auto_reply_header,
    classify_text,
    excerpt,
    is_out_of_office,
    new_text,
)
from tools.tracking.dsn import DeliveryFailure, looks_like_bounce, parse_dsn, status_in_text
from tools.tracking.inbound import InboundMessage, message_ids, parse_inbound
from tools.tracking.return_dates import return_date
from tools.tracking.types import REPLY_KINDS, ReplyResult, ReplySummary

# The LLM hook gets the reply's new text and returns a kind from REPLY_KINDS, optionally with a
# confidence, or None to leave the decision to the rules.
ReplyClassifier = Callable[[str], "str | tuple[str, float] | None"]
Target = Store | sessionmaker[Session]

RESUME_HOUR_UTC = 9
OOO_DEFAULT_BUSINESS_DAYS = 5
_REPLY_PREFIX = (
    "re", "aw", "antw", "antwort", "sv", "vs", "r", "rif", "réf", "ref", "fw", "fwd", "wg",
    "automatic reply", "auto reply", "autoreply", "out of office", "abwesenheitsnotiz",
    "automatische antwort", "réponse automatique", "respuesta automática",
)


def classify_message(message: InboundMessage, *, llm: ReplyClassifier | None = None) -> ReplyResult:
    """What kind of answer ``message`` is; ``message_ref`` is left for threading."""
    failures = parse_dsn(message.mime)
    if failures:
        return _bounce_result(message, failures)
    text = new_text(message.text)
    if looks_like_bounce(message.from_email, message.subject) and status_in_text(message.text):
        status = status_in_text(message.text) or ""
        return ReplyResult("bounce", None, message.from_email, confidence=0.7,
                           text_excerpt=excerpt(text), message_id=message.message_id,
                           hard_bounce=status.startswith("5"))
    reference = (message.date or datetime.now(UTC)).date()
    if auto_reply_header(message):
        return _ooo(message, text, reference, 0.95)
    verdict = classify_text(text)
    if verdict.kind != "unsubscribe" and is_out_of_office(message, text):
        return _ooo(message, text, reference, 0.8)
    if llm is not None:
        decided = _ask(llm, text)
        if decided is not None:
            kind, confidence = decided
            if kind == "out_of_office":
                return _ooo(message, text, reference, confidence, engine="llm")
            return ReplyResult(kind, None, message.from_email, confidence=confidence,
                               text_excerpt=excerpt(text), message_id=message.message_id, engine="llm")
    return ReplyResult(verdict.kind, None, message.from_email, confidence=verdict.confidence,
                       text_excerpt=excerpt(text), message_id=message.message_id)


def read_reply(
    target: Target, workspace_id: str, data: bytes | str | Mapping[str, str] | InboundMessage,
    *, llm: ReplyClassifier | None = None,
) -> ReplyResult:
    """Parse (RFC 5322 or Inbound Parse fields), classify and thread an inbound message."""
    message = data if isinstance(data, InboundMessage) else parse_inbound(data)
    result = classify_message(message, llm=llm)
    with store.transaction(target) as session:
        outbox = thread_reply(session, workspace_id, message, result)
    if outbox is None:
        return result
    return replace(result, message_ref=outbox.message_id,
                 bounced_email=result.bounced_email or (outbox.to_email if result.kind == "bounce" else None))


def thread_reply(session: Session, workspace_id: str, message: InboundMessage,
                 result: ReplyResult | None = None) -> store.OutboxTarget | None:
    """The outbox message this answers: by In-Reply-To/References (a bounce also by the
    Message-ID of the returned original), else the newest message sent to the sender whose
    subject the reply repeats."""
    ids = list(message.thread_ids)
    if result is not None and result.kind in ("bounce", "delivery_delayed"):
        ids = [*([result.message_ref] if result.message_ref else []), *ids, *message_ids(message.text)]
    if ids:
        found = store.outbox_by_message_ids(session, workspace_id, list(dict.fromkeys(ids)))
        if found:
            return found[0]
    address = (result.bounced_email if result and result.bounced_email else None) or message.from_email
    if not address:
        return None
    sent = store.last_sent_to(session, workspace_id, address)
    subject, had_prefix = normalized_subject(message.subject)
    for row in sent:
        if normalized_subject(row.subject)[0] == subject:
            return row
    return sent[0] if sent and had_prefix else None


def normalized_subject(subject: str) -> tuple[str, bool]:
    """Subject without reply/forward/auto-reply prefixes, and whether there were any."""
    text, stripped = " ".join(subject.split()).lower(), False
    changed = True
    while changed:
        changed = False
        for prefix in _REPLY_PREFIX:
            for sep in (":", " :"):
                if text.startswith(prefix + sep):
                    text, stripped, changed = text[len(prefix + sep):].strip(), True, True
        if text.startswith("[") and "]" in text[:20]:  # "[EXTERNAL]" tags some gateways add
            text, changed = text[text.index("]") + 1:].strip(), True
    return text, stripped


def apply_reply(target: Target, workspace_id: str, result: ReplyResult, *,
                now: datetime | None = None) -> ReplySummary:
    """Record the reply once (by its Message-ID) and act: a reply, a final bounce or an
    unsubscribe request stops the contact's sequence; a hard bounce is suppressed globally, an
    unsubscribe request in the workspace; out-of-office moves queued steps past the return date
    (or ``OOO_DEFAULT_BUSINESS_DAYS`` business days); a delay notice changes nothing."""
    now = now or datetime.now(UTC)
    summary = ReplySummary(kind=result.kind, recorded=False)
    with store.transaction(target) as session:
        found = (store.outbox_by_message_ids(session, workspace_id, [result.message_ref])
                 if result.message_ref else [])
        outbox = found[0] if found else None
        pid = f"reply:{result.message_id}" if result.message_id else None
        [created] = store.insert_events(session, workspace_id, [store.NewEvent(
            f"reply_{result.kind}", pid, now, _payload(result), outbox)])
        if not created:
            return summary
        summary.recorded = True
        summary.outbox_message_id = outbox.id if outbox else None
        summary.campaign_id = outbox.campaign_id if outbox else None
        _act(session, workspace_id, result, outbox, now, summary)
    record_reply_metrics(result)
    return summary


def record_reply_metrics(result: ReplyResult) -> None:
    """A recorded inbound message in core.metrics: a DSN is a bounce of an SMTP send (a delay
    notice is neither bounce nor reply); anything else is a reply by class, and an unsubscribe
    request is also an unsubscribe from source "reply"."""
    if result.kind == "bounce":
        metrics.record_bounce("smtp", hard=result.hard_bounce)
        return
    if result.kind == "delivery_delayed":
        return
    metrics.record_reply(result.kind)
    if result.kind == "unsubscribe":
        metrics.record_unsubscribe("reply")


def _act(session: Session, workspace_id: str, result: ReplyResult,
         outbox: store.OutboxTarget | None, now: datetime, summary: ReplySummary) -> None:
    if result.kind == "delivery_delayed":
        return
    address = result.bounced_email or (outbox.to_email if outbox else result.from_email)
    campaign_id = outbox.campaign_id if outbox else None
    contact_id = outbox.contact_id if outbox else None
    if result.kind == "out_of_office":
        if outbox is None:
            return
        summary.resume_at = resume_at(result.return_date, now)
        summary.postponed = store.postpone_queued(session, workspace_id, outbox.campaign_id,
                                                  address, summary.resume_at, contact_id)
        return
    if result.kind == "bounce" and result.hard_bounce:
        summary.suppressed = store.suppress(session, None, address, "hard_bounce")
        campaign_id = None  # an address that does not exist is dead in every campaign
    elif result.kind == "unsubscribe":
        summary.suppressed = store.suppress(session, workspace_id, result.from_email or address,
                                            "unsubscribe")
        campaign_id = None
    summary.cancelled = store.cancel_queued(session, workspace_id, address, campaign_id, contact_id,
                                            reason=f"reply: {result.kind}")


def resume_at(back: date | None, now: datetime) -> datetime:
    """The day after the return date (a day to catch up), or N business days from now."""
    if back is not None:
        return datetime.combine(back + timedelta(days=1), time(RESUME_HOUR_UTC), UTC)
    return add_business_days(now, OOO_DEFAULT_BUSINESS_DAYS)


def add_business_days(start: datetime, days: int) -> datetime:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _bounce_result(message: InboundMessage, failures: list[DeliveryFailure]) -> ReplyResult:
    final = [f for f in failures if f.final]
    failure = (final or failures)[0]
    return ReplyResult(
        "bounce" if final else "delivery_delayed", failure.original_message_id, message.from_email,
        confidence=0.99, text_excerpt=excerpt(failure.diagnostic or failure.status),
        message_id=message.message_id, bounced_email=failure.recipient,
        hard_bounce=bool(final) and failure.hard,
    )


def _ooo(message: InboundMessage, text: str, reference: date, confidence: float,
         engine: str = "rules") -> ReplyResult:
    back = return_date(f"{text}\n{message.subject}", reference)
    return ReplyResult("out_of_office", None, message.from_email, return_date=back,
                       confidence=confidence, text_excerpt=excerpt(text),
                       message_id=message.message_id, engine=engine)


def _ask(llm: ReplyClassifier, text: str) -> tuple[str, float] | None:
    answer = llm(text)
    if answer is None:
        return None
    kind, confidence = (answer, 0.7) if isinstance(answer, str) else answer
    kind = str(kind).strip().lower()
    if kind not in REPLY_KINDS or kind in ("bounce", "delivery_delayed"):
        return None  # bounces are read from DSN structure, never guessed from prose
    return kind, max(0.0, min(1.0, float(confidence)))


def _payload(result: ReplyResult) -> dict[str, Any]:
    return {
        "from": result.from_email, "kind": result.kind, "confidence": result.confidence,
        "return_date": result.return_date.isoformat() if result.return_date else None,
        "excerpt": result.text_excerpt, "engine": result.engine,
        "bounced_email": result.bounced_email, "hard_bounce": result.hard_bounce,
        "message_id": result.message_id,
    }
