"""A code by text message to the verified phone."""

from __future__ import annotations

from ...models import User
from ...policy.contact import phone_last_four
from .base import SentCodeMethod


class TextMessage(SentCodeMethod):
    name = "sms"
    amr = "sms"

    def label(self, user: User) -> str:
        return f"Text a code to the phone number ending in {phone_last_four(user.phone or '')}"


TEXT = TextMessage()
