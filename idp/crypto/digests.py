"""Digests for high-entropy secrets (tokens, codes, client secrets).

Random tokens need no slow hash: SHA-256 keeps them unreadable at rest and
lets them be looked up by value. Comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac


def token_digest(value: str) -> str:
    """SHA-256 hex digest of a secret value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def digest_matches(stored_digest: str, candidate: str) -> bool:
    """Whether ``candidate`` hashes to ``stored_digest``, in constant time."""
    return hmac.compare_digest(stored_digest, token_digest(candidate))
