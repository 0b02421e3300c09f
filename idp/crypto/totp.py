"""Authenticator-app codes (TOTP, RFC 6238) through pyotp, with a replay guard.

RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP
after the successful validation has been issued for the first OTP". The
caller keeps the time step of the last accepted code; a code of that step or
an earlier one is refused even though it would still be valid by time.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
from pyotp.utils import strings_equal

from ..errors import TotpCodeInvalid, TotpCodeReused

ISSUER = "One Healthcare ID"
# One step either side tolerates clock drift and typing time (RFC 6238 §5.2).
VALID_WINDOW = 1


def new_secret() -> str:
    """A new random base32 secret (160 bits, from ``secrets`` inside pyotp)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans, issuer "One Healthcare ID"."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def time_step(secret: str, moment: datetime) -> int:
    """The TOTP time step (counter) at ``moment``."""
    return pyotp.TOTP(secret).timecode(moment.timestamp())


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at ``moment``."""
    return pyotp.TOTP(secret).at(moment.timestamp())


def verify_code(secret: str, typed: str, moment: datetime, last_used_step: int | None) -> int:
    """The time step ``typed`` belongs to; raises TotpCodeInvalid or TotpCodeReused."""
    totp = pyotp.TOTP(secret)
    typed = "".join(ch for ch in (typed or "") if not ch.isspace())
    if len(typed) != totp.digits or not typed.isdigit():
        raise TotpCodeInvalid()
    current = totp.timecode(moment.timestamp())
    replayed = False
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if strings_equal(typed, totp.generate_otp(step)):
            if last_used_step is not None and step <= last_used_step:
                replayed = True
                continue
            return step
    raise TotpCodeReused() if replayed else TotpCodeInvalid()
