"""What the briefing assistant says: the compact summary of the brief so far and one question."""

from __future__ import annotations

from agents.briefing.draft import BriefDraft
from agents.briefing.sources import describe

QUESTIONS = {
    "offer": "What do you offer? One sentence in your own words, e.g. \"We sell shift scheduling "
             "software to warehouse teams.\"",
    "icp": "Who should I target? Describe your ideal customer: industries, locations, company size, "
           "signals such as \"hiring\", and anything to exclude (or say \"any\").",
    "companies": "Which companies should I research? Paste their websites or domains.",
    "sender_name": "Who is sending the e-mails? Your full name, please.",
    "sender_company": "What is the name of your company (the sender)?",
    "sender_email": "Which e-mail address should the e-mails come from? Replies go there.",
    "postal_address": "What postal address goes in the e-mail footer? Anti-spam laws require one, "
                      "e.g. \"12 Harbour Road, Leith EH6 6LX\".",
}
NO_DISCOVERY = ("I noted {source} as a source, but this server can only discover companies from the "
                "YC starter directory or a configured web search, so I need websites or domains to start.")
_NONE = "-"


def question(slot: str, draft: BriefDraft) -> str:
    text = QUESTIONS[slot]
    if slot == "companies" and draft.discovery:
        text += " " + NO_DISCOVERY.format(source=describe(draft.discovery))
    return text


def confirm_question(draft: BriefDraft) -> str:
    n = len(draft.companies)
    return (f"Everything is in place. Shall I create the campaign \"{draft.name}\" and start researching "
            f"{n} compan{'y' if n == 1 else 'ies'}? Say \"yes\" to go, or tell me what to change.")


def summary(draft: BriefDraft) -> str:
    sender = draft.sender
    who = ", ".join(v for v in (sender.name, sender.company) if v) or _NONE
    if sender.email:
        who += f" <{sender.email}>"
    lines = [
        "Brief so far:",
        f"- Campaign: {draft.name or _NONE}",
        f"- Offer: {draft.offer or _NONE}",
        f"- Ideal customer: {_icp_line(draft)}",
        f"- Companies: {_companies_line(draft)}",
        f"- Sender: {who}",
        f"- Postal address: {sender.postal_address or _NONE}",
        f"- E-mails per contact: {draft.sequence_steps or 2}",
    ]
    return "\n".join(lines)


def _icp_line(draft: BriefDraft) -> str:
    icp = draft.icp
    parts = []
    if icp.industries:
        parts.append("industries " + ", ".join(icp.industries))
    if icp.locations:
        parts.append("in " + ", ".join(icp.locations))
    if icp.min_employees is not None or icp.max_employees is not None:
        low = icp.min_employees if icp.min_employees is not None else "any"
        high = icp.max_employees if icp.max_employees is not None else "any"
        parts.append(f"{low}-{high} employees")
    if icp.signals:
        parts.append("signals " + ", ".join(icp.signals))
    if icp.exclude:
        parts.append("excluding " + ", ".join(icp.exclude))
    if parts:
        return "; ".join(parts)
    return "any company" if draft.icp_open else _NONE


def _companies_line(draft: BriefDraft) -> str:
    line = _NONE
    if draft.companies:
        shown = ", ".join(draft.companies[:3])
        more = len(draft.companies) - 3
        line = f"{len(draft.companies)} ({shown}{f', +{more} more' if more > 0 else ''})"
    if draft.discovery:
        line += f" (discovery source: {describe(draft.discovery)})"
    return line


def created_reply(draft: BriefDraft, campaign_id: str) -> str:
    n = len(draft.companies)
    return (f"Campaign \"{draft.name}\" is created and research has started on {n} "
            f"compan{'y' if n == 1 else 'ies'}. Campaign id: {campaign_id}. Drafts will wait in the "
            "approval queue for review before anything is sent.")
