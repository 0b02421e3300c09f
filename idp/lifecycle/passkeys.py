"""Passkeys (SPEC §3.5 "Passkey Setup"; sign-in and second factor of §3.1).

Each ceremony starts with ``begin_*``, which stores a random challenge
server-side under a ceremony id that the web layer keeps in the browser's
session; ``finish_*`` claims that challenge atomically (single use, short
lived, same purpose and user) before py_webauthn checks origin, rp id and
signature. The rp id is the issuer's host; the expected origin the issuer's.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from ..audit import record_event
from ..crypto.digests import token_digest
from ..errors import AccountInactive, AccountLocked, DeviceNameInvalid, PasskeyRejected
from ..extensions import get_settings, now
from ..policy.lockout import is_locked, minutes_left
from ..store import accounts, factors
from ..store.models import PasskeyChallenge, PasskeyCredential, User
from .authentication import refresh_inactivity

if TYPE_CHECKING:
    from ..crypto import passkeys as ceremony

CEREMONY_MINUTES = 5
NAME_LENGTH = 64
PURPOSES = ("register", "sign_in", "second_factor")


def relying_party() -> ceremony.RelyingParty:
    from ..crypto import passkeys as ceremony

    return ceremony.RelyingParty.for_issuer(get_settings().issuer)


def has_passkey(user: User) -> bool:
    """Whether the user has a passkey (one indexed read, no rows built)."""
    return factors.has_passkey(user)


def passkeys_of(user: User) -> list[PasskeyCredential]:
    """The user's passkeys, oldest first."""
    return factors.passkeys_of(user)


def _user_handle(user: User) -> str:
    """The WebAuthn user.id for ``user``: random, shared by all their passkeys."""
    from webauthn.helpers import bytes_to_base64url

    existing = factors.passkey_user_handle(user)
    return existing or bytes_to_base64url(secrets.token_bytes(32))


def _store_challenge(
    purpose: str, user: User | None, user_handle: str | None = None
) -> tuple[str, bytes]:
    moment = now()
    # Old ceremonies are of no use to anyone: clear them as new ones start.
    factors.clear_expired_challenges(moment)
    ceremony_id = secrets.token_urlsafe(32)
    challenge = secrets.token_bytes(32)
    factors.add(
        PasskeyChallenge(
            ceremony_hash=token_digest(ceremony_id),
            purpose=purpose,
            user_id=user.id if user is not None else None,
            challenge=challenge,
            user_handle=user_handle,
            created_at=moment,
            expires_at=moment + timedelta(minutes=CEREMONY_MINUTES),
        )
    )
    return ceremony_id, challenge


def _claim_challenge(ceremony_id: str | None, purpose: str, user: User | None) -> PasskeyChallenge:
    """This browser's stored ceremony, spent now; else PasskeyRejected."""
    if not ceremony_id:
        raise PasskeyRejected()
    row = factors.challenge_by_hash(token_digest(ceremony_id))
    if row is None or row.purpose != purpose:
        raise PasskeyRejected()
    if (user.id if user is not None else None) != row.user_id:
        raise PasskeyRejected()
    moment = now()
    claimed = factors.spend_challenge(row, moment)
    if not claimed or moment >= row.expires_at:
        raise PasskeyRejected()
    return row


def begin_passkey_registration(user: User) -> tuple[str, dict]:
    """(ceremony id, options for navigator.credentials.create())."""
    from webauthn.helpers import base64url_to_bytes

    from ..crypto import passkeys as ceremony

    handle = _user_handle(user)
    ceremony_id, challenge = _store_challenge("register", user, handle)
    options = ceremony.registration_options(
        relying_party(),
        user_name=user.username,
        display_name=user.name or user.username,
        user_handle=base64url_to_bytes(handle),
        challenge=challenge,
        exclude_credential_ids=[p.credential_id for p in passkeys_of(user)],
    )
    return ceremony_id, options


def finish_passkey_registration(
    user: User, ceremony_id: str | None, raw_credential: str | None
) -> PasskeyCredential:
    """Verify the browser's ``create()`` response and store the passkey."""
    from ..crypto import passkeys as ceremony

    credential = ceremony.parse_credential(raw_credential)
    stored = _claim_challenge(ceremony_id, "register", user)
    new = ceremony.verify_registration(relying_party(), credential, stored.challenge)
    if factors.credential_id_taken(new.credential_id):
        raise PasskeyRejected()
    row = _store_passkey(user, new, stored.user_handle or _user_handle(user))
    return row


def _store_passkey(user: User, new: ceremony.NewPasskey, user_handle: str) -> PasskeyCredential:
    count = len(passkeys_of(user))
    row = PasskeyCredential(
        user_id=user.id,
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        transports=new.transports,
        user_handle=user_handle,
        device_type=new.device_type,
        backed_up=new.backed_up,
        name="Passkey" if count == 0 else f"Passkey {count + 1}",
        created_at=now(),
    )
    factors.add(row)
    record_event("passkey_added", user, transports=new.transports, device_type=new.device_type)
    return row


def enroll_soft_passkey(user: User, backup_eligible: bool = False) -> dict:
    """Give ``user`` a passkey of the soft authenticator; returns its export.

    The registration goes through the same verification as a browser's (origin,
    rp id, attestation), only without a stored ceremony: nothing travels, so
    there is no session to bind it to. The export holds the private key, so the
    script can answer sign-in ceremonies with ``idp.testing.softkey``. A
    ``backup_eligible`` passkey is a synced one (``amr`` ``swk``), else
    device-bound (``hwk``).
    """
    from webauthn.helpers import base64url_to_bytes

    from ..crypto import passkeys as ceremony
    from ..crypto.soft_authenticator import SoftAuthenticator
    from ..policy.mfa import passkey_amr

    factors.write_pending()  # the user needs an id
    rp = relying_party()
    handle = _user_handle(user)
    challenge = secrets.token_bytes(32)
    options = ceremony.registration_options(
        rp,
        user_name=user.username,
        display_name=user.name or user.username,
        user_handle=base64url_to_bytes(handle),
        challenge=challenge,
        exclude_credential_ids=[],
    )
    key = SoftAuthenticator(origin=rp.origin, backup_eligible=backup_eligible)
    response = key.create(options)
    new = ceremony.verify_registration(
        rp, ceremony.parse_credential(json.dumps(response)), challenge
    )
    row = _store_passkey(user, new, handle)
    factors.write_pending()
    return {
        "id": row.id,
        **key.credentials[0].export(rp.origin),
        "amr": passkey_amr(new.device_type, new.user_verified),
    }


def begin_passkey_sign_in(user: User | None = None) -> tuple[str, dict]:
    """(ceremony id, options for navigator.credentials.get()).

    Without ``user``: a discoverable-credential sign-in from the sign-in page.
    With ``user``: the second factor, limited to that user's passkeys.
    """
    from ..crypto import passkeys as ceremony

    purpose = "sign_in" if user is None else "second_factor"
    ceremony_id, challenge = _store_challenge(purpose, user)
    allow = None
    if user is not None:
        allow = [(p.credential_id, list(p.transports or [])) for p in passkeys_of(user)]
    return ceremony_id, ceremony.authentication_options(relying_party(), challenge, allow)


def finish_passkey_sign_in(
    ceremony_id: str | None, raw_credential: str | None, user: User | None = None
) -> tuple[PasskeyCredential, ceremony.PasskeyAssertion]:
    """Verify a ``get()`` response; returns the passkey used and what the assertion says.

    Without ``user`` the passkey tells who is signing in; with ``user`` it must
    be one of theirs. The sign count is stored; a count that did not grow is
    refused (a cloned authenticator, WebAuthn §6.1.1).
    """
    from ..crypto import passkeys as ceremony

    credential = ceremony.parse_credential(raw_credential)
    purpose = "sign_in" if user is None else "second_factor"
    challenge = _claim_challenge(ceremony_id, purpose, user).challenge
    row = factors.passkey_by_credential_id(credential["id"])
    if row is None or (user is not None and row.user_id != user.id):
        raise PasskeyRejected()
    handle = ceremony.user_handle_of(credential)
    if handle is not None and handle != row.user_handle:
        raise PasskeyRejected()
    assertion = ceremony.verify_authentication(
        relying_party(), credential, challenge, row.public_key, row.sign_count
    )
    row.sign_count = assertion.new_sign_count
    row.backed_up = assertion.backed_up
    row.last_used_at = now()
    return row, assertion


def authenticate_passkey(
    ceremony_id: str | None, raw_credential: str | None
) -> tuple[User, ceremony.PasskeyAssertion]:
    """Sign-in with a passkey alone: the account, or a domain error.

    The account rules of a password sign-in apply: a locked or inactive
    account is refused.
    """
    row, assertion = finish_passkey_sign_in(ceremony_id, raw_credential)
    user = accounts.account(row.user_id)
    moment = now()
    if is_locked(user.locked_until, moment):
        record_event("sign_in_refused", user, reason="locked", method="passkey")
        raise AccountLocked(minutes=minutes_left(user.locked_until, moment))
    refresh_inactivity(user, moment)
    if user.deactivated_at is not None:
        record_event("sign_in_refused", user, reason="inactive", method="passkey")
        raise AccountInactive()
    user.failed_sign_ins = 0
    return user, assertion


def rename_passkey(user: User, passkey_id: int, name: str) -> PasskeyCredential | None:
    """Rename one of the user's passkeys; None if it is not theirs."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise DeviceNameInvalid()
    row = factors.passkey(passkey_id)
    if row is None or row.user_id != user.id:
        return None
    row.name = name
    return row


def remove_passkey(user: User, passkey_id: int) -> bool:
    """Remove one of the user's passkeys; False if not theirs."""
    row = factors.passkey(passkey_id)
    if row is None or row.user_id != user.id:
        return False
    factors.remove(row)
    record_event("passkey_removed", user, passkey_id=passkey_id)
    return True
