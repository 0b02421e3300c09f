"""A code by email to the verified address."""

from __future__ import annotations

from ...delivery.outbox import send_email
from ...policy.contact import mask_email
from ...store.models import OutboxMessage, User
from .base import SentCodeMethod


class EmailCode(SentCodeMethod):
    name = "email"
    # An emailed code is a one-time password (RFC 8176 has no email value).
    amr = "otp"
    channel = "email"

    def available(self, user: User) -> bool:
        return bool(user.email_verified)

    def destination(self, user: User) -> str:
        return user.email

    def deliver(self, user: User, to: str, purpose: str, plain: str, minutes: int) -> OutboxMessage:
        return send_email(to, purpose, "code", user=user, code=plain, minutes=minutes)

    def label(self, user: User) -> str:
        return f"Email a code to {mask_email(user.email)}"

    def sent_notice(self, user: User) -> str:
        return f"We sent a code to {mask_email(user.email)}."


EMAIL = EmailCode()
