"""How often a security alert may be sent (SPEC §3.7 notifications). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

ALERT_WINDOW = timedelta(hours=1)


def alert_allowed(sent_at: Iterable[datetime], now: datetime, per_hour: int) -> bool:
    """Whether one more alert fits: fewer than ``per_hour`` sent in the last hour."""
    recent = sum(1 for moment in sent_at if now - moment < ALERT_WINDOW)
    return recent < per_hour
