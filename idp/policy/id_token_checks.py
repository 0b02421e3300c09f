"""The checks a relying party makes on an ID token (OIDC Core §3.1.3.7), as the debugger
shows them: each one passed or failed, with why. Pure: the signature result, the
clock and the expected values come in."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

# Seconds of clock difference a relying party commonly tolerates.
LEEWAY_SECONDS = 60
_HASHES = {"RS256": hashlib.sha256, "ES256": hashlib.sha256, "PS256": hashlib.sha256}


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def at_hash_of(access_token: str, alg: str) -> str | None:
    """§3.1.3.6: base64url of the left half of the hash of the access token."""
    digest = _HASHES.get(alg)
    if digest is None:
        return None
    full = digest(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(full[: len(full) // 2]).rstrip(b"=").decode("ascii")


def check_id_token(
    claims: dict,
    *,
    alg: str,
    signature_error: str | None,
    issuer: str,
    client_id: str,
    now: int,
    nonce: str | None,
    access_token: str | None,
) -> list[Check]:
    """Every standard check on an ID token's claims, in the order a relying party makes them."""
    checks = [
        Check(
            "signature",
            signature_error is None,
            f"{alg} signature verified against the JWKS"
            if signature_error is None
            else f"not verified: {signature_error}",
        )
    ]
    iss = claims.get("iss")
    checks.append(
        Check("iss", iss == issuer, f"{iss!r} {'=' if iss == issuer else '≠'} {issuer!r}")
    )
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    aud_ok = client_id in audiences and (len(audiences) == 1 or claims.get("azp") == client_id)
    checks.append(
        Check("aud", aud_ok, f"{aud!r} {'contains' if aud_ok else 'does not name'} {client_id!r}")
    )
    exp = claims.get("exp")
    exp_ok = isinstance(exp, int) and now < exp + LEEWAY_SECONDS
    checks.append(
        Check(
            "exp",
            exp_ok,
            f"expires in {exp - now} s" if isinstance(exp, int) else "no exp claim",
        )
    )
    iat = claims.get("iat")
    iat_ok = isinstance(iat, int) and iat <= now + LEEWAY_SECONDS
    checks.append(
        Check("iat", iat_ok, f"issued {now - iat} s ago" if isinstance(iat, int) else "no iat")
    )
    got_nonce = claims.get("nonce")
    if nonce is None:
        nonce_ok = got_nonce is None
        nonce_detail = "none sent, none returned" if nonce_ok else "returned one nobody sent"
    else:
        nonce_ok = got_nonce == nonce
        nonce_detail = "matches the one sent" if nonce_ok else f"{got_nonce!r} ≠ {nonce!r}"
    checks.append(Check("nonce", nonce_ok, nonce_detail))
    if access_token is not None:
        expected = at_hash_of(access_token, alg)
        got = claims.get("at_hash")
        if got is None:
            checks.append(Check("at_hash", True, "absent (optional in the code flow)"))
        else:
            ok = expected is not None and got == expected
            checks.append(
                Check(
                    "at_hash", ok, "matches the access token" if ok else f"{got!r} ≠ {expected!r}"
                )
            )
    return checks
