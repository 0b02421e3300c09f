"""What a signing-in user must still do: an ordered list of small named checks.

After the password (or passkey) is accepted, the web layer asks
``next_step(state)`` and sends the user to the page for that step; ``None``
means the sign-in is complete. Each later capability adds its facts to
``JourneyState`` and its check to ``CHECKS`` in the order OHID asks them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JourneyState:
    """Facts about the account and this sign-in; defaults mean "nothing to do"."""

    email_verified: bool = True
    # A new registrant who gave a phone number and has not verified or skipped it.
    phone_verification_pending: bool = False
    # A new registrant not yet shown "Switch to faster and more secure sign-in methods".
    security_methods_offer_pending: bool = False
    password_expired: bool = False
    # Within the warning window before expiry and not yet shown in this sign-in.
    password_expiring: bool = False
    second_factor_required: bool = False
    second_factor_done: bool = False
    device_check_required: bool = False
    phone_step_up_required: bool = False
    consent_required: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    applies: Callable[[JourneyState], bool]


CHECKS: list[Check] = [
    Check("verify_email", lambda s: not s.email_verified),
    Check("verify_phone", lambda s: s.phone_verification_pending),
    Check("offer_security_methods", lambda s: s.security_methods_offer_pending),
    Check("second_factor", lambda s: s.second_factor_required and not s.second_factor_done),
    Check("unrecognized_device", lambda s: s.device_check_required),
    Check("phone_step_up", lambda s: s.phone_step_up_required),
    Check("consent", lambda s: s.consent_required),
    # SPEC §3.1 asks for the expired password last, before the portal is reached.
    Check("password_expired", lambda s: s.password_expired),
    Check("password_expiring", lambda s: s.password_expiring and not s.password_expired),
]


def next_step(state: JourneyState) -> str | None:
    """The name of the first check that applies, or None when sign-in is complete."""
    for check in CHECKS:
        if check.applies(state):
            return check.name
    return None
