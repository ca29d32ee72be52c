"""The sending schedule, pure and explainable: business-day step delays, the send window in the
recipient's local time zone, warm-up caps for new mailboxes and seeded jitter between sends."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry

# Country (ISO alpha-2) -> its main time zone; big countries spanning zones get city overrides.
COUNTRY_TZ = {
    "US": "America/New_York", "CA": "America/Toronto", "MX": "America/Mexico_City",
    "BR": "America/Sao_Paulo", "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
    "CO": "America/Bogota", "PE": "America/Lima", "GB": "Europe/London", "IE": "Europe/Dublin",
    "FR": "Europe/Paris", "DE": "Europe/Berlin", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels",
    "LU": "Europe/Luxembourg", "CH": "Europe/Zurich", "AT": "Europe/Vienna", "IT": "Europe/Rome",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik", "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague", "SK": "Europe/Bratislava", "HU": "Europe/Budapest", "RO": "Europe/Bucharest",
    "BG": "Europe/Sofia", "GR": "Europe/Athens", "TR": "Europe/Istanbul", "UA": "Europe/Kyiv",
    "EE": "Europe/Tallinn", "LV": "Europe/Riga", "LT": "Europe/Vilnius", "HR": "Europe/Zagreb",
    "SI": "Europe/Ljubljana", "RS": "Europe/Belgrade", "RU": "Europe/Moscow", "IL": "Asia/Jerusalem",
    "AE": "Asia/Dubai", "SA": "Asia/Riyadh", "EG": "Africa/Cairo", "ZA": "Africa/Johannesburg",
    "NG": "Africa/Lagos", "KE": "Africa/Nairobi", "MA": "Africa/Casablanca", "IN": "Asia/Kolkata",
    "PK": "Asia/Karachi", "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur", "ID": "Asia/Jakarta",
    "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh", "PH": "Asia/Manila", "CN": "Asia/Shanghai",
    "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "JP": "Asia/Tokyo", "KR": "Asia/Seoul",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
}
CITY_TZ = {
    "san francisco": "America/Los_Angeles", "los angeles": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "portland": "America/Los_Angeles", "san diego": "America/Los_Angeles",
    "san jose": "America/Los_Angeles", "palo alto": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "denver": "America/Denver", "boulder": "America/Denver", "salt lake city": "America/Denver",
    "phoenix": "America/Phoenix", "chicago": "America/Chicago", "austin": "America/Chicago",
    "dallas": "America/Chicago", "houston": "America/Chicago", "minneapolis": "America/Chicago",
    "vancouver": "America/Vancouver", "calgary": "America/Edmonton", "edmonton": "America/Edmonton",
    "winnipeg": "America/Winnipeg", "halifax": "America/Halifax", "perth": "Australia/Perth",
    "brisbane": "Australia/Brisbane", "adelaide": "Australia/Adelaide", "darwin": "Australia/Darwin",
    "canary islands": "Atlantic/Canary", "las palmas": "Atlantic/Canary", "manaus": "America/Manaus",
    "novosibirsk": "Asia/Novosibirsk", "vladivostok": "Asia/Vladivostok", "yekaterinburg": "Asia/Yekaterinburg",
}


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 code of a country name or code ("Germany", "DE", "United States")."""
    if not name or not name.strip():
        return None
    value = name.strip()
    if value.upper() in COUNTRY_TZ:
        return value.upper()
    aliases = {"usa": "US", "uk": "GB", "england": "GB", "scotland": "GB", "uae": "AE"}
    if value.lower() in aliases:
        return aliases[value.lower()]
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return None


def recipient_timezone(country: str | None, locations: list[str], fallback: str) -> tuple[ZoneInfo, str]:
    """The recipient's time zone and a sentence saying where it came from."""
    for location in locations:
        lowered = location.lower()
        for city, tz in CITY_TZ.items():
            if city in lowered:
                return ZoneInfo(tz), f"{tz} (company located in {location})"
    code = country_code(country)
    if code is None:
        for location in locations:
            code = country_code(location.rsplit(",", 1)[-1])
            if code:
                break
    if code and code in COUNTRY_TZ:
        return ZoneInfo(COUNTRY_TZ[code]), f"{COUNTRY_TZ[code]} (main time zone of {code})"
    try:
        return ZoneInfo(fallback), f"{fallback} (recipient location unknown: campaign time zone)"
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC"), "UTC (recipient location unknown, campaign time zone invalid)"


@dataclass(frozen=True)
class SendWindow:
    """Local hours on business days (Mon-Fri) when a message may go out."""

    start: time = time(9, 0)
    end: time = time(17, 0)

    @classmethod
    def parse(cls, start: str, end: str) -> SendWindow:
        window = cls(time.fromisoformat(start), time.fromisoformat(end))
        if window.start >= window.end:
            raise ValueError("send window start must be before its end")
        return window

    def contains(self, at: datetime, tz: ZoneInfo) -> bool:
        local = at.astimezone(tz)
        return local.weekday() < 5 and self.start <= local.time() < self.end

    def next_open(self, at: datetime, tz: ZoneInfo) -> datetime:
        """``at`` when inside the window, else the next window opening (aware, in ``tz``)."""
        local = at.astimezone(tz)
        if self.contains(local, tz):
            return local
        day = local.date()
        if local.weekday() < 5 and local.time() < self.start:
            return _at(day, self.start, tz)
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return _at(day, self.start, tz)


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    # The wall-clock time that day; the offset (CET/CEST, EST/EDT) follows that day's DST rules.
    return datetime.combine(day, clock, tzinfo=tz)


def add_business_days(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """``days`` business days after ``start``, counted on the recipient's calendar, same local time."""
    local = start.astimezone(tz)
    day = local.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return datetime.combine(day, local.time(), tzinfo=tz)


def jitter(message_id: str, span_seconds: float, salt: str = "") -> timedelta:
    """A reproducible offset in [0, span) seeded by the message id: same id, same schedule."""
    if span_seconds <= 0:
        return timedelta(0)
    digest = hashlib.sha256(f"{salt}:{message_id}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return timedelta(seconds=round(fraction * span_seconds, 3))


def warmup_cap(full_cap: int, first_send_at: datetime | None, today: date, *, start: int = 20,
               ramp_days: int = 14) -> int:
    """Daily cap of a mailbox: ``start`` on its first sending day, growing linearly to
    ``full_cap`` after ``ramp_days`` days; a mailbox that never sent is on day 0."""
    if ramp_days <= 0 or start >= full_cap:
        return full_cap
    age = 0 if first_send_at is None else max(0, (today - first_send_at.date()).days)
    if age >= ramp_days:
        return full_cap
    return min(full_cap, start + (full_cap - start) * age // ramp_days)


@dataclass(frozen=True)
class StepPlan:
    due_at: datetime
    explain: dict[str, str]


def plan_step(step: int, anchor: datetime, *, tz: ZoneInfo, tz_why: str, window: SendWindow | None,
              delay_business_days: int, message_id: str, spread_seconds: float = 1800) -> StepPlan:
    """When step ``step`` is due: ``anchor`` (approval, or the previous step's due time) plus the
    step delay in business days, moved into the recipient's send window (if any), plus seeded jitter."""
    if step <= 1:
        earliest, delay_why = anchor, "first touch: as soon as approved"
    else:
        earliest = add_business_days(anchor, delay_business_days, tz)
        delay_why = f"step {step}: {delay_business_days} business days after step {step - 1}"
    due = earliest.astimezone(tz)
    if window is None:
        window_why = "no send window (immediate sending)"
    else:
        opened = window.next_open(earliest, tz)
        if opened != due:
            due = opened + jitter(message_id, spread_seconds, "window")
        window_why = f"{window.start:%H:%M}-{window.end:%H:%M} Mon-Fri local"
    local = due.astimezone(tz)
    return StepPlan(due.astimezone(ZoneInfo("UTC")), {
        "delay": delay_why,
        "timezone": tz_why,
        "tz": tz.key,
        "window": f"{window_why}; due {local:%a %Y-%m-%d %H:%M %Z}",
    })
