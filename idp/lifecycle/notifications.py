"""Account notifications (SPEC §3.7): Failed Login, Successful Login, Account
Recovery Attempt and Locked Account, sent to the user's email or verified phone.

The user's choices live in ``User.notifications`` (event -> list of channels).
An event the user never chose for falls back to ``DEFAULT_CHANNELS``: the two
security alerts go to the email address until the user turns them off.
"""

from __future__ import annotations

from ..audit import record_event
from ..delivery.outbox import send_email, send_sms
from ..errors import ValidationFailed
from ..extensions import get_settings, now
from ..policy.alerts import ALERT_WINDOW, alert_allowed
from ..store import db
from ..store.models import OutboxMessage, User
from .accounts import hold_account_row

# Event key (also the outbox purpose) -> OHID's name for it.
EVENTS = {
    "failed_login": "Failed Login",
    "successful_login": "Successful Login",
    "account_recovery_attempt": "Account Recovery Attempt",
    "locked_account": "Locked Account",
}
NOTIFY_CHANNELS = ("email", "sms")
DEFAULT_CHANNELS = {
    "failed_login": [],
    "successful_login": [],
    "account_recovery_attempt": ["email"],
    "locked_account": ["email"],
}


def preferences(user: User) -> dict[str, list[str]]:
    """Each event with the channels it is sent to for ``user``."""
    saved = user.notifications or {}
    return {
        event: [c for c in saved.get(event, DEFAULT_CHANNELS[event]) if c in NOTIFY_CHANNELS]
        for event in EVENTS
    }


def set_preferences(user: User, chosen: dict[str, list[str]]) -> None:
    """Save the user's choice for every event (an event left out is turned off).

    Texts can only be chosen with a verified phone (ValidationFailed).
    """
    wants_sms = any("sms" in channels for channels in chosen.values())
    if wants_sms and not (user.phone and user.phone_verified):
        raise ValidationFailed(
            {"notifications": ["Add and verify a phone number to get notifications by text."]}
        )
    user.notifications = {
        event: [c for c in NOTIFY_CHANNELS if c in chosen.get(event, [])] for event in EVENTS
    }
    record_event("notifications_changed", user)
    db.session.commit()


def notify(user: User, event: str, **context) -> None:
    """Send ``event``'s notice on the user's chosen channels (added, not committed).

    Texts go only to a verified phone; the email goes to the primary address.
    """
    label = EVENTS[event]
    moment = now()
    channels = preferences(user)[event]
    if channels:
        # Counted and sent one request at a time: parallel requests cannot all find
        # room under the hourly cap.
        hold_account_row(user)
    for channel in channels:
        if not _within_rate(user, event, channel, moment):
            continue
        values = {"event": event, "label": label, "moment": moment, **context}
        if channel == "email":
            send_email(user.email, event, "notification", user=user, **values)
        elif channel == "sms" and user.phone and user.phone_verified:
            send_sms(user.phone, event, "notification", user=user, **values)


def _within_rate(user: User, event: str, channel: str, moment) -> bool:
    sent = db.session.execute(
        db.select(OutboxMessage.created_at).where(
            OutboxMessage.user_id == user.id,
            OutboxMessage.purpose == event,
            OutboxMessage.channel == channel,
            OutboxMessage.created_at > moment - ALERT_WINDOW,
        )
    ).scalars()
    return alert_allowed(sent, moment, get_settings().security.alerts_per_hour)
