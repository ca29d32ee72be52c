"""The knobs of sending (window, caps, warm-up, gaps, retries, guardrails) as one value built
from Settings; defaults match Settings so graph code can call the sequencer without it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agents.schedule import SendWindow

if TYPE_CHECKING:
    from core.settings import Settings


@dataclass(frozen=True)
class SendPolicy:
    # immediate: no send window and no gaps (demos, tests); step delays, caps, suppression stay.
    immediate: bool = False
    window: SendWindow = SendWindow()
    fallback_timezone: str = "UTC"
    step_delay_business_days: int = 3
    mailbox_daily_cap: int = 200
    warmup_start: int = 20
    warmup_days: int = 14
    domain_daily_cap: int = 20
    gap_seconds: float = 60.0
    gap_jitter_seconds: float = 60.0
    retry_base_seconds: float = 300.0
    max_attempts: int = 6
    lease_seconds: float = 600.0
    sent_archive_dir: Path | None = None
    bounce_rate: float = 0.03
    complaint_rate: float = 0.001
    guardrail_window_days: int = 7
    guardrail_min_sent: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        return cls(
            immediate=settings.send_immediately,
            window=SendWindow.parse(settings.send_window_start, settings.send_window_end),
            fallback_timezone=settings.sending_timezone,
            step_delay_business_days=settings.step_delay_business_days,
            mailbox_daily_cap=settings.mailbox_daily_cap,
            warmup_start=settings.mailbox_warmup_start,
            warmup_days=settings.mailbox_warmup_days,
            domain_daily_cap=settings.domain_daily_cap,
            gap_seconds=settings.send_gap_seconds,
            gap_jitter_seconds=settings.send_gap_jitter_seconds,
            retry_base_seconds=settings.send_retry_base_seconds,
            max_attempts=settings.send_max_attempts,
            lease_seconds=settings.send_lease_seconds,
            sent_archive_dir=settings.sent_archive_dir,
            bounce_rate=settings.guardrail_bounce_rate,
            complaint_rate=settings.guardrail_complaint_rate,
            guardrail_window_days=settings.guardrail_window_days,
            guardrail_min_sent=settings.guardrail_min_sent,
        )
