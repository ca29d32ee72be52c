"""The partial brief a briefing chat fills (``BriefDraft``), the update one message makes
(``BriefUpdate``), merging an update in, validating through ``CampaignBrief`` and what is missing."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.models import ICP, CampaignBrief

# The order the assistant asks in; "icp" and "companies" are satisfied as described in ``missing``.
SLOTS = ("offer", "icp", "companies", "sender_name", "sender_company", "sender_email", "postal_address")
ICP_FIELDS = ("industries", "locations", "min_employees", "max_employees", "signals", "exclude")
MAX_COMPANIES = 10_000


class BriefUpdate(BaseModel):
    """What one user message says about the brief. ``None`` / empty means "not mentioned"."""

    name: str | None = Field(default=None, description="Campaign name, only if the user names it.")
    offer: str | None = Field(default=None, description="What the user sells or offers, in their words.")
    description: str | None = Field(default=None, description="The user's own description of the target.")
    industries: list[str] = Field(default_factory=list, description="Target industries.")
    locations: list[str] = Field(default_factory=list, description="Target countries, regions or cities.")
    min_employees: int | None = Field(default=None, description="Smallest company size in employees.")
    max_employees: int | None = Field(default=None, description="Largest company size in employees.")
    signals: list[str] = Field(default_factory=list, description="Required signals, e.g. hiring, funding.")
    exclude: list[str] = Field(default_factory=list, description="Keywords, industries or domains to exclude.")
    icp_open: bool = Field(default=False, description="True when the user says any company fits (no ICP).")
    sender_name: str | None = Field(default=None, description="The sender's full name.")
    sender_company: str | None = Field(default=None, description="The sender's company name.")
    sender_email: str | None = Field(default=None, description="The sender's e-mail address, exactly as typed.")
    postal_address: str | None = Field(default=None, description="The sender's postal address.")
    companies: list[str] = Field(default_factory=list, description="Target company websites or domains.")
    replace_companies: bool = Field(default=False, description="True when the new list replaces the old one.")
    discovery: str | None = Field(default=None, description="A named source of companies, e.g. 'yc'.")
    sequence_steps: int | None = Field(default=None, description="E-mails per contact, if stated.")
    confirm: bool = Field(default=False, description="True when the user approves creating the campaign.")
    cancel: bool = Field(default=False, description="True when the user wants to abandon the briefing.")

    def is_empty(self) -> bool:
        ignored = {"confirm", "cancel", "replace_companies"}
        return not any(v for k, v in self.model_dump().items() if k not in ignored)


class SenderDraft(BaseModel):
    name: str | None = None
    company: str | None = None
    email: str | None = None
    postal_address: str | None = None


class BriefDraft(BaseModel):
    """The brief so far, plus what the chat needs to continue (the slot it last asked for)."""

    name: str | None = None
    name_given: bool = False  # named by the user (else derived from the offer and ICP)
    description: str = ""
    offer: str | None = None
    icp: ICP = Field(default_factory=ICP)
    icp_open: bool = False
    sender: SenderDraft = Field(default_factory=SenderDraft)
    sequence_steps: int | None = None
    companies: list[str] = Field(default_factory=list)
    discovery: str | None = None
    asked: str | None = None  # slot of the last question, or "confirm"


def apply_update(draft: BriefDraft, update: BriefUpdate) -> tuple[BriefDraft, list[str]]:
    """Merge ``update`` (stated values overwrite) and validate; invalid values are dropped and
    come back as problems (plain sentences) so the chat can ask again instead of failing."""
    new = draft.model_copy(deep=True)
    if update.name:
        new.name, new.name_given = update.name, True
    if update.offer:
        new.offer = update.offer
    if update.description:
        new.description = update.description
    icp = new.icp.model_dump()
    for field in ICP_FIELDS:
        value = getattr(update, field)
        if value or (value == 0 and field.endswith("employees")):
            icp[field] = value
    new.icp = ICP.model_construct(**icp)
    new.icp_open = new.icp_open or update.icp_open
    for field in ("name", "company", "email"):
        value = getattr(update, f"sender_{field}")
        if value:
            setattr(new.sender, field, value)
    if update.postal_address:
        new.sender.postal_address = update.postal_address
    if update.companies:
        base = [] if update.replace_companies else new.companies
        new.companies = list(dict.fromkeys([*base, *update.companies]))[:MAX_COMPANIES]
    if update.discovery:
        new.discovery = update.discovery
    if update.sequence_steps is not None:
        new.sequence_steps = update.sequence_steps
    problems = _drop_invalid(new)
    if not new.name_given:
        new.name = derive_name(new)
    return new, problems


def _drop_invalid(draft: BriefDraft) -> list[str]:
    """Validate every filled value through ``CampaignBrief``; missing values are not errors here."""
    problems: list[str] = []
    for _ in range(4):  # each pass drops the values that failed; the rest is re-validated
        try:
            CampaignBrief.model_validate(_candidate(draft, fill_missing=True))
            return problems
        except ValidationError as exc:
            for error in exc.errors():
                problems.append(_forget(draft, tuple(str(p) for p in error["loc"]), error["msg"]))
    return problems


_PLACEHOLDER: dict[str, Any] = {"name": "campaign", "offer": "offer", "sender": {
    "name": "name", "company": "company", "email": "name@example.com", "postal_address": "address"}}


def _candidate(draft: BriefDraft, *, fill_missing: bool) -> dict[str, Any]:
    sender = {k: v for k, v in draft.sender.model_dump().items() if v}
    data: dict[str, Any] = {
        "name": draft.name or "", "description": draft.description, "offer": draft.offer or "",
        "icp": draft.icp.model_dump(), "sender": sender,
    }
    if draft.sequence_steps is not None:
        data["sequence_steps"] = draft.sequence_steps
    if fill_missing:
        data["name"] = data["name"] or _PLACEHOLDER["name"]
        data["offer"] = data["offer"] or _PLACEHOLDER["offer"]
        data["sender"] = {**_PLACEHOLDER["sender"], **sender}
    return data


def _forget(draft: BriefDraft, loc: tuple[str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    head, tail = loc[0], loc[1:]
    if head == "sender" and tail:
        value = getattr(draft.sender, tail[0])
        setattr(draft.sender, tail[0], None)
        label = {"postal_address": "postal address", "email": "e-mail"}.get(tail[0], tail[0])
        return f"The sender {label} {value!r} was not accepted: {message}."
    if head == "icp":
        icp = draft.icp.model_dump()
        for field in (tail[:1] or ("min_employees", "max_employees")):
            icp[field] = [] if isinstance(icp.get(field), list) else None
        draft.icp = ICP.model_construct(**icp)
        return f"The company size was not accepted: {message}."
    if head == "sequence_steps":
        value, draft.sequence_steps = draft.sequence_steps, None
        return f"{value} e-mails per contact was not accepted: {message}."
    if head in ("offer", "name", "description"):
        value = getattr(draft, head)
        setattr(draft, head, "" if head == "description" else None)
        if head == "name":
            draft.name_given = False
        return f"The {'campaign name' if head == 'name' else head} {value!r} was not accepted: {message}."
    raise ValueError(f"unexpected validation error at {loc}: {message}")


# Discovery sources the server can run itself (agents/discovery.py); others still need a list.
RUNNABLE_DISCOVERY = ("yc", "web_search")


def missing(draft: BriefDraft) -> list[str]:
    """Slots still needed, in the order they are asked for."""
    icp = draft.icp
    has_icp = draft.icp_open or any(getattr(icp, f) not in (None, []) for f in ICP_FIELDS)
    filled = {
        "offer": bool(draft.offer),
        "icp": has_icp,
        "companies": bool(draft.companies) or draft.discovery in RUNNABLE_DISCOVERY,
        "sender_name": bool(draft.sender.name),
        "sender_company": bool(draft.sender.company),
        "sender_email": bool(draft.sender.email),
        "postal_address": bool(draft.sender.postal_address),
    }
    return [slot for slot in SLOTS if not filled[slot]]


def to_campaign_brief(draft: BriefDraft) -> CampaignBrief:
    """The finished brief; raises ``ValidationError`` when something is still missing."""
    return CampaignBrief.model_validate(_candidate(draft, fill_missing=False))


def partial_brief(draft: BriefDraft) -> dict[str, Any]:
    """The brief so far in ``CampaignBrief``'s shape (missing values are null)."""
    return {
        "name": draft.name, "description": draft.description, "offer": draft.offer,
        "icp": draft.icp.model_dump(), "sender": draft.sender.model_dump(),
        "sequence_steps": draft.sequence_steps or CampaignBrief.model_fields["sequence_steps"].default,
    }


def derive_name(draft: BriefDraft) -> str | None:
    """A campaign name from the user's own words: offer, then target industries and places."""
    if not draft.offer:
        return None
    words = draft.offer.split()
    if words and words[0].lower() in {"we", "i", "our"}:
        words = words[1:]
    if words and words[0].lower() in {"help", "helps", "sell", "offer", "provide", "build", "make"}:
        words = words[1:]
    for i, word in enumerate(words[1:], 1):  # the target part ("... to logistics teams") is the ICP's
        if word.lower() in {"to", "for", "that", "which", "with", "so"}:
            words = words[:i]
            break
    name = " ".join(words[:6]).strip(" ,.;:") or draft.offer
    name = name[:1].upper() + name[1:]
    if draft.icp.industries:
        name += " for " + " & ".join(draft.icp.industries[:2])
    if draft.icp.locations:
        name += " in " + ", ".join(draft.icp.locations[:2])
    return name[:200]
