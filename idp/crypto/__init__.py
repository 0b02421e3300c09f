"""Thin wrappers around the security libraries (argon2, pyotp, webauthn, itsdangerous)."""
