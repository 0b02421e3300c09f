"""Passkey (WebAuthn) as the second factor, after a password."""

from __future__ import annotations

from ...policy.mfa import passkey_amr
from ...store.models import User
from ..passkeys import finish_passkey_sign_in, has_passkey, passkeys_of, remove_passkey
from .base import Answer, Passed, SecondFactorMethod


class Passkey(SecondFactorMethod):
    name = "passkey"
    answer_kind = "passkey"
    strong = True
    partial = "mfa/methods/passkey.html"
    manage_partial = "security/methods/passkey.html"
    description_schema = {
        "passkeys": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "transports": {"type": "array", "items": {"type": "string"}},
                    "sign_count": {"type": "integer"},
                },
            },
        }
    }

    def available(self, user: User) -> bool:
        return has_passkey(user)

    def label(self, user: User) -> str:
        return "Passkey"

    def verify(self, user: User, answer: Answer) -> Passed:
        _, assertion = finish_passkey_sign_in(answer.ceremony_id, answer.credential, user)
        # After a password the passkey is the second factor whatever its verification.
        return Passed(passkey_amr(assertion.device_type, user_verified=False))

    def enrolled(self, user: User) -> list:
        return passkeys_of(user)

    def remove(self, user: User, item_id: int) -> bool:
        return remove_passkey(user, item_id)

    def describe(self, user: User) -> dict:
        return {
            "passkeys": [
                {"name": p.name, "transports": list(p.transports or []), "sign_count": p.sign_count}
                for p in passkeys_of(user)
            ]
        }


PASSKEY = Passkey()
