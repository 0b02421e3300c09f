"""A code by email to the verified address."""

from __future__ import annotations

from ...models import User
from ...policy.contact import mask_email
from .base import SentCodeMethod


class EmailCode(SentCodeMethod):
    name = "email"
    # An emailed code is a one-time password (RFC 8176 has no email value).
    amr = "otp"

    def available(self, user: User) -> bool:
        return bool(user.email_verified)

    def label(self, user: User) -> str:
        return f"Email a code to {mask_email(user.email)}"

    def sent_notice(self, user: User) -> str:
        return f"We sent a code to {mask_email(user.email)}."


EMAIL = EmailCode()
