"""The 16-digit recovery code: once, in place of an authenticator app or passkey."""

from __future__ import annotations

from ...store.models import User
from ..recovery_codes import has_recovery_code, live_recovery_code, use_recovery_code
from .base import Answer, Passed, SecondFactorMethod


class RecoveryCodeMethod(SecondFactorMethod):
    name = "recovery"
    amr = "otp"
    code_label = "Recovery Code"
    stands_in = True
    partial = "mfa/methods/recovery.html"
    manage_partial = "security/methods/recovery.html"
    description_schema = {"recovery_code": {"type": "boolean"}}

    def available(self, user: User) -> bool:
        return has_recovery_code(user)

    def label(self, user: User) -> str:
        return "Recovery code"

    def verify(self, user: User, answer: Answer) -> Passed:
        # Spending the code issues its replacement, shown once on the next page.
        return Passed([self.amr], new_recovery_code=use_recovery_code(user, answer.code))

    def enrolled(self, user: User) -> list:
        row = live_recovery_code(user)
        return [row] if row is not None else []

    def describe(self, user: User) -> dict:
        return {"recovery_code": has_recovery_code(user)}


RECOVERY_CODE = RecoveryCodeMethod()
