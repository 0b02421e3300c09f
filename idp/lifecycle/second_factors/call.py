"""An automated call to the verified phone that reads the code out."""

from __future__ import annotations

from ...models import User
from ...policy.contact import phone_last_four
from .base import SentCodeMethod


class PhoneCall(SentCodeMethod):
    name = "call"
    amr = "tel"
    how_it_arrives = ": the automated call reads you a 6-digit code. Type it below."
    send_button = "Call Me"

    def label(self, user: User) -> str:
        return f"Call the phone number ending in {phone_last_four(user.phone or '')}"

    def sent_notice(self, user: User) -> str:
        return f"We are calling the phone number ending in {phone_last_four(user.phone)}."


CALL = PhoneCall()
