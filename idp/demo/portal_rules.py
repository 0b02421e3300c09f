"""A demo portal's own rules, as the Optum Pro FAQ describes them.

The portal, not One Healthcare ID, deactivates an account nobody signed into
for 90 consecutive days and times a session out after 30 idle minutes. Both
run on One Healthcare ID's QA clock (read from ``/_qa/clock``), so a QA script
that moves that clock reaches the portal's rules too.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import requests

from ..clock import real_now

SHARED_EMAIL_REFUSED = (
    "A request is already in the system with the email you're trying to use. If the email "
    "is a shared address, register again with a unique email address. Work with your "
    "coworkers to decide who will/won't use the shared address."
)
ACCOUNT_DEACTIVATED = (
    "Your {portal} account was deactivated because you haven't signed into the portal for "
    "{days} consecutive days. To keep your account active, all you'll need to do is sign into "
    "the portal: sign in again to reactivate it."
)
ACCOUNT_REACTIVATED = "Welcome back: your {portal} account is active again."
TIMED_OUT = "You were signed out of {portal} after {minutes} minutes of inactivity."


class IssuerClock:
    """The time as One Healthcare ID's rules see it: real time plus the QA clock's offset.

    Where the QA API does not answer (not loopback, no token), real time.
    """

    def __init__(self, issuer: str, qa_token: str = ""):
        self.url = f"{issuer.rstrip('/')}/_qa/clock"
        self.headers = {"Authorization": f"Bearer {qa_token}"} if qa_token else {}

    def offset(self) -> timedelta:
        try:
            response = requests.get(
                self.url, headers=self.headers, timeout=5, allow_redirects=False
            )
            seconds = float(response.json()["offset_seconds"]) if response.ok else 0.0
        except (requests.RequestException, ValueError, KeyError, TypeError):
            seconds = 0.0
        return timedelta(seconds=seconds)

    def now(self) -> datetime:
        return real_now() + self.offset()


def is_inactive(last_sign_in: datetime | None, now: datetime, days: int) -> bool:
    """No sign-in into the portal for ``days`` consecutive days (0: the rule is off)."""
    return days > 0 and last_sign_in is not None and now - last_sign_in >= timedelta(days=days)


def is_timed_out(last_seen: datetime | None, now: datetime, minutes: int) -> bool:
    """The portal session was idle for ``minutes`` (0: no timeout)."""
    return minutes > 0 and last_seen is not None and now - last_seen >= timedelta(minutes=minutes)


class PortalAccounts:
    """The portal's own record of each account (by ``sub``): last sign-in, deactivated or not.

    Kept in memory: a restarted demo starts with no accounts.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._last: dict[str, datetime] = {}
        self._deactivated: set[str] = set()

    def sign_in(self, sub: str, now: datetime, days: int, reactivate: bool) -> str:
        """Record a sign-in; ``"active"``, ``"deactivated"`` or ``"reactivated"``."""
        with self._lock:
            if is_inactive(self._last.get(sub), now, days):
                self._deactivated.add(sub)
            if sub in self._deactivated:
                if not reactivate:
                    return "deactivated"
                self._deactivated.discard(sub)
                self._last[sub] = now
                return "reactivated"
            self._last[sub] = now
            return "active"
