"""One-time code rules (SPEC §2): generation, lifetime, tries, resend limits. Pure."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


def generate_code(digits: int) -> str:
    """A uniformly random numeric code of exactly ``digits`` digits."""
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def normalize_code(text: str | None) -> str:
    """What the user typed, without spaces or dashes (codes are often read out in groups)."""
    return "".join(ch for ch in (text or "") if ch not in " -\t")


@dataclass(frozen=True)
class ResendDecision:
    allowed: bool
    reason: str | None = None  # "cooldown" or "hourly_cap"
    wait_seconds: int = 0


def may_send(previous_sends: list[datetime], now: datetime, rules) -> ResendDecision:
    """Whether another code may go to a destination that got ``previous_sends``."""
    if previous_sends:
        last = max(previous_sends)
        since = (now - last).total_seconds()
        if since < rules.resend_cooldown_seconds:
            return ResendDecision(False, "cooldown", int(rules.resend_cooldown_seconds - since) + 1)
    hour_ago = now - timedelta(hours=1)
    recent = sorted(t for t in previous_sends if t > hour_ago)
    if rules.resend_per_hour and len(recent) >= rules.resend_per_hour:
        wait = int((recent[0] + timedelta(hours=1) - now).total_seconds()) + 1
        return ResendDecision(False, "hourly_cap", wait)
    return ResendDecision(True)


def lifetime(purpose_is_activation: bool, rules) -> timedelta:
    if purpose_is_activation:
        return timedelta(hours=rules.email_activation_hours)
    return timedelta(minutes=rules.otp_minutes)
