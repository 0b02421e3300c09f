"""Step up (SPEC §3.1): a portal registered with ``require_phone = true`` makes a
user without a verified phone add one before it gets the authorization.

The user gives a number, picks Text Message or Call Me, and types the 6-digit
Access Code; a call speaks the code. Only then is the number stored, verified.
"""

from __future__ import annotations

from ..audit import record_event
from ..errors import PhoneInvalid
from ..policy.contact import check_phone
from ..store.models import User
from .mfa import confirm_sent_code
from .second_factors import CALL, TEXT

STEP_UP_PURPOSE = "phone_step_up"


def send_step_up_code(user: User, number: str, country_code: str, method: str) -> str:
    """Send an Access Code to the new number by text (``sms``) or call; returns it in E.164."""
    errors, e164 = check_phone(number, country_code)
    if errors:
        raise PhoneInvalid(detail=errors[0])
    (CALL if method == "call" else TEXT).send(user, STEP_UP_PURPOSE, e164)
    return e164


def confirm_step_up_code(user: User, e164: str, typed: str) -> None:
    """Accept the Access Code and store the number as the user's verified phone."""
    confirm_sent_code(user, "sms", e164, STEP_UP_PURPOSE, typed)
    user.phone = e164
    user.phone_verified = True
    record_event("phone_verified", user, reason="step_up")
