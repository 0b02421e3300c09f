"""The one clock every time rule reads.

Real UTC time plus an offset (or a frozen instant) that the QA API moves.
The offset is kept in the database so every worker process sees the same
time; each request reloads it once (see ``idp.extensions``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(-?\d+)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse ``91d``, ``30m``, ``12h``, ``45s`` or ``2w`` into a timedelta."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration (use e.g. 91d, 30m, 12h, 45s): {text!r}")
    amount, unit = int(match.group(1)), match.group(2).lower()
    try:
        return timedelta(**{_UNITS[unit]: amount})
    except OverflowError:
        raise ValueError(f"duration out of range: {text!r}") from None


def parse_instant(text: str) -> datetime:
    """Parse an ISO-8601 instant; a naive one is taken as UTC."""
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ValueError(f"not an ISO-8601 date-time: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def check_in_range(instant: datetime) -> datetime:
    """Refuse instants where date arithmetic (token expiry, lock times) could overflow."""
    if not EARLIEST <= instant < LATEST:
        raise ValueError(f"the clock must stay between {EARLIEST.year} and {LATEST.year}")
    return instant


def real_now() -> datetime:
    """The wall clock in UTC, the only place the real time is read."""
    return datetime.now(UTC)


class Clock:
    """Real time shifted by ``offset``; all rules ask it for ``now()``."""

    def __init__(self, offset: timedelta | None = None):
        self.offset = offset or timedelta(0)

    def now(self) -> datetime:
        return real_now() + self.offset

    def timestamp(self) -> int:
        """Seconds since the epoch on this (possibly moved) clock."""
        return int(self.now().timestamp())

    def real_timestamp(self) -> int:
        """Real seconds since the epoch: what goes into tokens that leave the mock.

        A portal checks ``iat``/``exp`` against its own, real clock, so
        token timestamps never carry the QA offset.
        """
        return int(real_now().timestamp())

    def to_real_timestamp(self, moment: datetime | int) -> int:
        """A moment of this clock (datetime or epoch seconds) in real epoch seconds.

        Durations measured by the mock survive: a token with 29 minutes left on
        the moved clock has 29 minutes left in real time too.
        """
        seconds = moment.timestamp() if isinstance(moment, datetime) else moment
        return int(seconds - self.offset.total_seconds())

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def set(self, instant: datetime) -> None:
        self.offset = instant - real_now()

    def reset(self) -> None:
        self.offset = timedelta(0)

    @property
    def is_moved(self) -> bool:
        return self.offset != timedelta(0)
