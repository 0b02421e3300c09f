"""The software WebAuthn authenticator for scripts and tests (no browser).

``SoftAuthenticator().add(user["passkey"])`` holds the passkey that
``QAClient.create_user(..., passkey=True)`` made; ``get(options)`` answers the
sign-in ceremony the way a browser would. See ``idp.testing.journey`` for the
pages around it.
"""

from __future__ import annotations

from ..crypto.soft_authenticator import (
    DEFAULT_ORIGIN,
    SoftAuthenticator,
    SoftCredential,
    b64url,
    unb64url,
)

__all__ = ["DEFAULT_ORIGIN", "SoftAuthenticator", "SoftCredential", "b64url", "unb64url"]
