"""An automated call to the verified phone that reads the code out."""

from __future__ import annotations

from ...delivery.outbox import place_call
from ...policy.contact import phone_last_four
from ...store.models import OutboxMessage, User
from .base import SentCodeMethod


class PhoneCall(SentCodeMethod):
    name = "call"
    amr = "tel"
    channel = "voice"
    how_it_arrives = ": the automated call reads you a 6-digit code. Type it below."
    send_button = "Call Me"

    def label(self, user: User) -> str:
        return f"Call the phone number ending in {phone_last_four(user.phone or '')}"

    def deliver(self, user: User, to: str, purpose: str, plain: str, minutes: int) -> OutboxMessage:
        body = (
            f"This is One Healthcare ID. Your verification code is {spoken_code(plain)}. "
            f"Again, your code is {spoken_code(plain)}. Type it on the screen to continue."
        )
        return place_call(to, purpose, body, user=user, code=plain)

    def sent_notice(self, user: User) -> str:
        return f"We are calling the phone number ending in {phone_last_four(user.phone)}."


def spoken_code(code: str) -> str:
    """A code as an automated call reads it: digit by digit."""
    return ", ".join(code)


CALL = PhoneCall()
