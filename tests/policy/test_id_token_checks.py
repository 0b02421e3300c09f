"""The ID token checks the debugger shows (OIDC Core §3.1.3.7), each passed or failed."""

from __future__ import annotations

import pytest

from idp.policy.id_token_checks import at_hash_of, check_id_token

NOW = 1_800_000_000
GOOD = {
    "iss": "http://localhost:8765",
    "aud": ["optum-pro"],
    "exp": NOW + 3600,
    "iat": NOW,
    "nonce": "n-1",
    "at_hash": at_hash_of("access-token-1", "RS256"),
}


def results(claims=None, **kwargs) -> dict[str, tuple[bool, str]]:
    options = {
        "alg": "RS256",
        "signature_error": None,
        "issuer": "http://localhost:8765",
        "client_id": "optum-pro",
        "now": NOW,
        "nonce": "n-1",
        "access_token": "access-token-1",
    }
    options.update(kwargs)
    checks = check_id_token(GOOD if claims is None else claims, **options)
    return {c.name: (c.passed, c.detail) for c in checks}


def test_a_good_token_passes_every_check_in_order():
    checks = results()
    assert list(checks) == ["signature", "iss", "aud", "exp", "iat", "nonce", "at_hash"]
    assert all(passed for passed, _ in checks.values())


def test_at_hash_is_the_left_half_of_sha256():
    # OIDC Core §3.1.3.6 example-style check: 16 bytes -> 22 base64url characters.
    assert len(at_hash_of("x", "RS256")) == 22
    assert at_hash_of("x", "none") is None


@pytest.mark.parametrize(
    ("changes", "options", "failed", "detail"),
    [
        ({}, {"signature_error": "bad signature"}, "signature", "not verified: bad signature"),
        ({"iss": "http://evil"}, {}, "iss", "≠"),
        ({"aud": ["optum-connect-claims-online"]}, {}, "aud", "does not name 'optum-pro'"),
        ({"aud": ["optum-pro", "other"]}, {}, "aud", "does not name"),
        ({"exp": NOW - 120}, {}, "exp", "expires in -120 s"),
        ({"iat": NOW + 600}, {}, "iat", "issued -600 s ago"),
        ({"nonce": "n-2"}, {}, "nonce", "'n-2' ≠ 'n-1'"),
        ({}, {"nonce": None}, "nonce", "returned one nobody sent"),
        ({"at_hash": "AAAA"}, {}, "at_hash", "'AAAA' ≠"),
    ],
)
def test_each_check_fails_on_its_own_fault(changes, options, failed, detail):
    checks = results({**GOOD, **changes}, **options)
    assert checks[failed][0] is False and detail in checks[failed][1]
    assert all(passed for name, (passed, _) in checks.items() if name != failed)


def test_azp_makes_several_audiences_acceptable_and_no_at_hash_is_optional():
    claims = {**GOOD, "aud": ["optum-pro", "other"], "azp": "optum-pro"}
    claims.pop("at_hash")
    checks = results(claims)
    assert checks["aud"][0] and checks["at_hash"] == (True, "absent (optional in the code flow)")


def test_a_refreshed_token_without_nonce_passes_when_none_was_sent():
    claims = {k: v for k, v in GOOD.items() if k != "nonce"}
    assert results(claims, nonce=None)["nonce"] == (True, "none sent, none returned")
