"""argon2id password hashing with two profiles.

``standard`` uses argon2-cffi's defaults; ``fast`` is for test suites. A hash
made under the other profile verifies and is flagged for rehash on sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_PROFILES = {
    "standard": PasswordHasher(type=Type.ID),
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
}


class PasswordHashing:
    """Hash and verify secrets (passwords, security answers) under one profile."""

    def __init__(self, profile: str = "standard"):
        if profile not in _PROFILES:
            raise ValueError(f"unknown password hash profile: {profile!r}")
        self.profile = profile
        self._hasher = _PROFILES[profile]

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def verify(self, stored_hash: str, secret: str) -> bool:
        """True when ``secret`` matches; never raises for a bad or foreign hash."""
        try:
            return self._hasher.verify(stored_hash, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True
