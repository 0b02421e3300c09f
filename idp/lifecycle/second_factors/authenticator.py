"""Authenticator app (TOTP, RFC 6238): a 6-digit code from the user's app."""

from __future__ import annotations

from ...store.models import User
from ..authenticators import (
    check_authenticator_code,
    confirmed_authenticators,
    has_authenticator,
    remove_authenticator,
)
from .base import Answer, Passed, SecondFactorMethod


class AuthenticatorApp(SecondFactorMethod):
    name = "authenticator"
    amr = "otp"
    code_label = "Authenticator Code"
    strong = True
    partial = "mfa/methods/authenticator.html"
    manage_partial = "security/methods/authenticator.html"
    description_schema = {"authenticators": {"type": "integer"}}

    def available(self, user: User) -> bool:
        return has_authenticator(user)

    def label(self, user: User) -> str:
        return "Authenticator app"

    def verify(self, user: User, answer: Answer) -> Passed:
        check_authenticator_code(user, answer.code)
        return Passed([self.amr])

    def enrolled(self, user: User) -> list:
        return confirmed_authenticators(user)

    def remove(self, user: User, item_id: int) -> bool:
        return remove_authenticator(user, item_id)

    def describe(self, user: User) -> dict:
        return {"authenticators": len(confirmed_authenticators(user))}


AUTHENTICATOR = AuthenticatorApp()
