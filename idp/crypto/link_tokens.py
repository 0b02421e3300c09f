"""Signed link tokens (itsdangerous) that carry a digest of the state they act on.

A token names what it acts on (e.g. a user id and a code id) and embeds a
digest of that state (e.g. the email address and the current code id). When
the state changes — a newer code was sent, the email changed — the digest no
longer matches and the link dies, without keeping any list of issued links.
Expiry is measured on the mock's clock, so the QA clock moves it too.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ..errors import LinkTokenExpired, LinkTokenInvalid, LinkTokenStale


def state_digest(*state: Any) -> str:
    """A short digest of the state a link acts on (the token itself is signed)."""
    joined = "\x1f".join(str(part) for part in state)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class LinkToken:
    """A token whose signature and age were checked."""

    subject: dict
    digest: str

    def check_state(self, *state: Any) -> None:
        """Raise LinkTokenStale unless the current state is the one the link was made for."""
        if not hmac.compare_digest(self.digest, state_digest(*state)):
            raise LinkTokenStale()


class LinkTokens:
    """Make and read link tokens signed with ``secret_key``, one salt per purpose."""

    def __init__(self, secret_key: str | bytes, timestamp: Callable[[], float]):
        self.secret_key = secret_key
        clock_timestamp = timestamp

        class _ClockSigner(TimestampSigner):
            # Token age is measured on the mock's clock, not the machine's.
            def get_timestamp(self) -> int:
                return int(clock_timestamp())

        self._signer = _ClockSigner

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self.secret_key, salt=f"mock-ohid.link.{purpose}", signer=self._signer
        )

    def make(self, purpose: str, subject: dict, *state: Any) -> str:
        """A URL-safe token for ``purpose`` naming ``subject`` and bound to ``state``."""
        return self._serializer(purpose).dumps({"s": subject, "d": state_digest(*state)})

    def read(self, purpose: str, token: str, max_age_seconds: int) -> LinkToken:
        """Check signature, purpose and age; raise LinkTokenInvalid or LinkTokenExpired."""
        try:
            data = self._serializer(purpose).loads(token or "", max_age=max_age_seconds)
        except SignatureExpired:
            raise LinkTokenExpired() from None
        except BadSignature:
            raise LinkTokenInvalid() from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("s"), dict)
            or not isinstance(data.get("d"), str)
        ):
            raise LinkTokenInvalid()
        return LinkToken(data["s"], data["d"])
