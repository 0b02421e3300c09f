"""A code by text message to the verified phone."""

from __future__ import annotations

from ...delivery.outbox import send_sms
from ...policy.contact import phone_last_four
from ...store.models import OutboxMessage, User
from .base import SentCodeMethod


class TextMessage(SentCodeMethod):
    name = "sms"
    amr = "sms"
    channel = "sms"

    def label(self, user: User) -> str:
        return f"Text a code to the phone number ending in {phone_last_four(user.phone or '')}"

    def deliver(self, user: User, to: str, purpose: str, plain: str, minutes: int) -> OutboxMessage:
        return send_sms(to, purpose, "code", user=user, code=plain, minutes=minutes)

    def sent_notice(self, user: User) -> str:
        return f"We texted a code to the phone number ending in {phone_last_four(user.phone)}."


TEXT = TextMessage()
