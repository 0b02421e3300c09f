"""Browsers an account trusts: "Remember this device" and personal devices.

A browser is known by a long random cookie (see ``web.devices``); only its
SHA-256 digest is stored. A row says what the account trusts that browser
for (``"mfa"``: skip the second factor; ``"device"``: skip the
unrecognized-device check) and until when (``session.remember_device_days``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from ..audit import record_event
from ..crypto.digests import token_digest
from ..extensions import get_settings, now
from ..store import sign_in as store
from ..store.models import RememberedDevice, User

PURPOSES = ("mfa", "device")
LABEL_LENGTH = 120


def new_device_token() -> str:
    """A fresh browser identifier for the device cookie."""
    return secrets.token_urlsafe(32)


def is_remembered(user: User, purpose: str, token: str | None) -> bool:
    """Whether this browser (``token``) is trusted by ``user`` for ``purpose`` now."""
    if not token or len(token) > 200:
        return False
    row = store.remembered_device(user, purpose, token_digest(token))
    return row is not None and now() < row.expires_at


def remember_device(user: User, purpose: str, token: str, label: str = "") -> RememberedDevice:
    """Trust this browser for ``purpose`` for the configured days."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown device purpose {purpose!r}")
    moment = now()
    expires = moment + timedelta(days=get_settings().session.remember_device_days)
    digest = token_digest(token)
    row = store.remembered_device(user, purpose, digest)
    if row is None:
        row = RememberedDevice(user_id=user.id, purpose=purpose, token_hash=digest)
        store.add(row)
    row.label = (label or "")[:LABEL_LENGTH]
    row.created_at = moment
    row.expires_at = expires
    record_event("device_remembered", user, purpose=purpose)
    return row


def remembered_devices(user: User) -> list[RememberedDevice]:
    """The browsers ``user`` trusts now, newest first."""
    return store.remembered_devices_of(user, now())


def forget_device(user: User, device_id: int) -> bool:
    """Stop trusting one remembered browser of ``user``; False if it is not theirs."""
    row = store.device(device_id)
    if row is None or row.user_id != user.id:
        return False
    store.remove(row)
    record_event("device_forgotten", user, purpose=row.purpose)
    return True
