"""WebAuthn ceremonies (passkeys) through py_webauthn, with the checks OHID needs.

``registration_options`` / ``verify_registration`` and
``authentication_options`` / ``verify_authentication`` wrap the library's
functions. The caller supplies the challenge it stored (single use, bound to
the browser's session) so these functions stay free of storage; the library
checks the challenge, the origin (WebAuthn §7.1 step 9 / §7.2 step 13), the
rp id hash (§7.1 step 13 / §7.2 step 15), the signature and the sign count
(§7.2 step 21). Every failure becomes :class:`PasskeyRejected`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..errors import PasskeyMissing, PasskeyRejected

RP_NAME = "One Healthcare ID"
TIMEOUT_MS = 300_000
# A stored credential JSON larger than this is not a passkey response.
MAX_CREDENTIAL_JSON = 64_000


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: rp id (the issuer's host) and the expected origin."""

    id: str
    origin: str
    name: str = RP_NAME

    @classmethod
    def for_issuer(cls, issuer: str) -> RelyingParty:
        parts = urlsplit(issuer)
        return cls(id=parts.hostname or "localhost", origin=f"{parts.scheme}://{parts.netloc}")


@dataclass(frozen=True)
class NewPasskey:
    """A verified registration, ready to be stored."""

    credential_id: str
    public_key: bytes
    sign_count: int
    transports: list[str]
    device_type: str
    backed_up: bool
    user_verified: bool


@dataclass(frozen=True)
class PasskeyAssertion:
    """A verified sign-in with a passkey."""

    credential_id: str
    new_sign_count: int
    device_type: str
    backed_up: bool
    user_verified: bool


def registration_options(
    rp: RelyingParty,
    user_name: str,
    display_name: str,
    user_handle: bytes,
    challenge: bytes,
    exclude_credential_ids: list[str],
) -> dict:
    """Options for ``navigator.credentials.create()``: resident key and UV preferred."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user_name,
        user_id=user_handle,
        user_display_name=display_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid))
            for cid in exclude_credential_ids
        ],
    )
    return json.loads(options_to_json(options))


def authentication_options(
    rp: RelyingParty, challenge: bytes, allow: list[tuple[str, list[str]]] | None = None
) -> dict:
    """Options for ``navigator.credentials.get()``.

    No ``allow`` list: a discoverable-credential sign-in (the browser offers the
    passkeys it holds for this rp id, no ID typed).
    """
    descriptors = []
    for credential_id, transports in allow or []:
        known = [AuthenticatorTransport(t) for t in transports if t in _TRANSPORTS]
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(credential_id), transports=known or None
            )
        )
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=descriptors,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return json.loads(options_to_json(options))


_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def parse_credential(raw: str | None) -> dict:
    """The credential JSON a browser posted, or PasskeyMissing / PasskeyRejected."""
    if not raw or not raw.strip():
        raise PasskeyMissing()
    if len(raw) > MAX_CREDENTIAL_JSON:
        raise PasskeyRejected()
    try:
        value = json.loads(raw)
    except ValueError:
        raise PasskeyRejected() from None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise PasskeyRejected()
    return value


def user_handle_of(credential: dict) -> str | None:
    """The base64url ``userHandle`` of an assertion (discoverable credentials carry it)."""
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    return handle if isinstance(handle, str) and handle else None


def verify_registration(rp: RelyingParty, credential: dict, challenge: bytes) -> NewPasskey:
    """Check a ``create()`` response against the challenge, origin and rp id."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyRejected(field="credential") from exc
    response = credential.get("response") or {}
    transports = response.get("transports") if isinstance(response, dict) else None
    return NewPasskey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in (transports or []) if t in _TRANSPORTS],
        device_type=verified.credential_device_type.value,
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
    )


def verify_authentication(
    rp: RelyingParty, credential: dict, challenge: bytes, public_key: bytes, sign_count: int
) -> PasskeyAssertion:
    """Check a ``get()`` response: challenge, origin, rp id, signature, sign count."""
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyRejected(field="credential") from exc
    return PasskeyAssertion(
        credential_id=bytes_to_base64url(verified.credential_id),
        new_sign_count=verified.new_sign_count,
        device_type=verified.credential_device_type.value,
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
    )
