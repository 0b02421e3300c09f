"""A software WebAuthn authenticator: passkeys without a browser.

It answers registration and authentication options the way a browser and a
platform authenticator would ("none" attestation, ES256 keys), so a script or
a test can create and use passkeys over plain HTTP, with any origin, rp id or
sign count it asks for. The QA API makes its passkeys with it and hands the
script the key (``export``); ``idp.testing.softkey`` is its public name.

``backup_eligible`` sets the BE and BS flags: the server then sees a synced
("multi_device") passkey and signs the user in with ``amr`` ``swk``; without
them a device-bound one, ``hwk``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
DEFAULT_ORIGIN = "http://localhost:8765"


def b64url(data: bytes) -> str:
    """Base64url without padding (WebAuthn's encoding of binary fields)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """The bytes of a base64url text, padded or not."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    """One passkey held by the soft authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0
    backup_eligible: bool = False

    def export(self, origin: str) -> dict:
        """Everything a script needs to answer for this passkey, as JSON values."""
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "credential_id": b64url(self.credential_id),
            "private_key": pem,
            "rp_id": self.rp_id,
            "origin": origin,
            "user_handle": b64url(self.user_handle),
            "sign_count": self.sign_count,
            "backup_eligible": self.backup_eligible,
        }

    @classmethod
    def from_export(cls, exported: dict) -> SoftCredential:
        """The credential ``export`` described."""
        key = serialization.load_pem_private_key(exported["private_key"].encode(), None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("a passkey's private key is an EC P-256 key")
        return cls(
            credential_id=unb64url(exported["credential_id"]),
            private_key=key,
            rp_id=exported["rp_id"],
            user_handle=unb64url(exported["user_handle"]),
            sign_count=int(exported.get("sign_count") or 0),
            backup_eligible=bool(exported.get("backup_eligible")),
        )


class SoftAuthenticator:
    """Holds discoverable ES256 credentials; ``create``/``get`` return browser JSON."""

    def __init__(
        self,
        origin: str = DEFAULT_ORIGIN,
        user_verified: bool = True,
        backup_eligible: bool = False,
        counter_step: int = 1,
    ):
        self.origin = origin
        self.user_verified = user_verified
        self.backup_eligible = backup_eligible
        self.counter_step = counter_step
        self.credentials: list[SoftCredential] = []

    def _flags(self, extra: int = 0, backup_eligible: bool | None = None) -> int:
        flags = UP | extra
        if self.user_verified:
            flags |= UV
        if self.backup_eligible if backup_eligible is None else backup_eligible:
            flags |= BE | BS
        return flags

    def add(self, exported: dict) -> SoftCredential:
        """Hold a passkey made elsewhere (the ``passkey`` object of the QA API's answer)."""
        credential = SoftCredential.from_export(exported)
        self.credentials.append(credential)
        if exported.get("origin") and self.origin == DEFAULT_ORIGIN:
            self.origin = exported["origin"]
        return credential

    def create(self, options: dict, origin: str | None = None, rp_id: str | None = None) -> dict:
        """The ``navigator.credentials.create()`` answer to registration ``options``."""
        rp_id = rp_id or options["rp"]["id"]
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = secrets.token_bytes(32)
        numbers = key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(AT)])
            + struct.pack(">I", 0)
            + bytes(16)
            + struct.pack(">H", len(credential_id))
            + credential_id
            + cose_key
        )
        client_data = json.dumps(
            {
                "type": "webauthn.create",
                "challenge": options["challenge"],
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(
            SoftCredential(
                credential_id,
                key,
                rp_id,
                unb64url(options["user"]["id"]),
                backup_eligible=self.backup_eligible,
            )
        )
        return {
            "id": b64url(credential_id),
            "rawId": b64url(credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(
        self,
        options: dict,
        origin: str | None = None,
        rp_id: str | None = None,
        sign_count: int | None = None,
        credential: SoftCredential | None = None,
    ) -> dict:
        """The ``navigator.credentials.get()`` answer to authentication ``options``."""
        allowed = {c["id"] for c in options.get("allowCredentials") or []}
        if credential is None:
            candidates = [
                c
                for c in self.credentials
                if c.rp_id == options["rpId"]
                and (not allowed or b64url(c.credential_id) in allowed)
            ]
            if not candidates:
                raise LookupError(f"no passkey held for rp id {options['rpId']!r}")
            credential = candidates[-1]
        if sign_count is None:
            credential.sign_count += self.counter_step
            sign_count = credential.sign_count
        auth_data = (
            hashlib.sha256((rp_id or credential.rp_id).encode()).digest()
            + bytes([self._flags(backup_eligible=credential.backup_eligible)])
            + struct.pack(">I", sign_count)
        )
        client_data = json.dumps(
            {
                "type": "webauthn.get",
                "challenge": options["challenge"],
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
        }
