"""What a second-factor method is: the shape every method module fills in.

A method says who may use it (``available``), how it is offered (``label``,
the page partial), how its code goes out (``send``, for sent codes), how an
answer is checked (``verify``) and, for methods the user enrols (apps,
passkeys, the recovery code), what My Profile lists and the QA API shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...errors import MethodUnavailable
from ...extensions import get_settings
from ...store.models import OutboxMessage, User
from ..codes import issue_code
from ..mfa import MFA_PURPOSE, confirm_sent_code


@dataclass(frozen=True)
class Answer:
    """What the user gave on "Verify your identity": a typed code or a passkey assertion."""

    code: str = ""
    ceremony_id: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class Passed:
    """A right answer: the amr values it adds, and a replacement recovery code to show."""

    amr: list[str]
    new_recovery_code: str | None = None


class SecondFactorMethod:
    """One second-factor method; a module subclasses it and the table lists the instance."""

    # The name in URLs (``?method=``), forms and audit events.
    name: str = ""
    # RFC 8176 amr value a right answer adds (passkeys work theirs out per key).
    amr: str = "otp"
    # "code": the page asks for a typed code; "passkey": a WebAuthn assertion.
    answer_kind: str = "code"
    # The label of the code field.
    code_label: str = "Verification Code"
    # Whether having it makes the second factor due at every sign-in.
    strong: bool = False
    # Whether it only stands in for a strong method (offered only while one is set up).
    stands_in: bool = False
    # The partial of "Verify your identity" for this method.
    partial: str = ""
    # The partial of My Profile's "Manage Verification Options" (None: nothing to manage).
    manage_partial: str | None = None
    # JSON schema of what ``describe`` adds to the QA user's ``mfa`` object.
    description_schema: ClassVar[dict] = {}

    def available(self, user: User) -> bool:
        """Whether ``user`` has this method."""
        return False

    def label(self, user: User) -> str:
        """How the method is offered to ``user``."""
        return self.name

    def verify(self, user: User, answer: Answer) -> Passed:
        """Check ``answer``; raises a wrong-guess error (it counts towards the lockout)."""
        raise MethodUnavailable()

    def enrolled(self, user: User) -> list:
        """The rows My Profile lists for this method (apps, passkeys, the live code)."""
        return []

    def remove(self, user: User, item_id: int) -> bool:
        """Remove one enrolled row of ``user``; False if not theirs."""
        return False

    def describe(self, user: User) -> dict:
        """What the QA API shows of this method for ``user``."""
        return {}


class SentCodeMethod(SecondFactorMethod):
    """A 6-digit code sent by text, call or email and typed on the page."""

    partial = "mfa/methods/sent_code.html"
    # The outbox channel the code goes out on.
    channel: str = ""
    # Sentence after the label on the page, telling how the code arrives.
    how_it_arrives: str = "."
    send_button: str = "Send Code"

    def destination(self, user: User) -> str:
        """Where the code goes: the verified phone (email overrides it)."""
        return user.phone or ""

    def available(self, user: User) -> bool:
        return bool(user.phone and user.phone_verified)

    def send(
        self, user: User, purpose: str = MFA_PURPOSE, destination: str | None = None
    ) -> OutboxMessage:
        """Send a new code for ``purpose``; ResendTooSoon / ResendLimitReached.

        ``destination`` defaults to the account's own (a phone being added passes its number).
        """
        to = destination if destination is not None else self.destination(user)
        _, plain = issue_code(user, purpose, self.channel, to)
        message = self.deliver(user, to, purpose, plain, get_settings().codes.otp_minutes)
        return message

    def deliver(self, user: User, to: str, purpose: str, plain: str, minutes: int) -> OutboxMessage:
        """Put the message carrying ``plain`` in the outbox."""
        raise MethodUnavailable()

    def sent_notice(self, user: User) -> str:
        """What the page says once the code is on its way."""
        return "We sent you a code."

    def verify(self, user: User, answer: Answer) -> Passed:
        confirm_sent_code(user, self.name, self.destination(user), MFA_PURPOSE, answer.code)
        return Passed([self.amr])
