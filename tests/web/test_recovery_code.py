"""The 16-digit recovery code (SPEC §3.5): shown once, hashed, single use, regenerated."""

from __future__ import annotations

from idp.extensions import get_hashing
from idp.lifecycle.authenticators import confirmed_authenticators
from idp.policy.codes import normalize_code
from idp.store.models import RecoveryCode
from tests.helpers import authorize_url, csrf_token, sign_out
from tests.oidc.portal import decode_id_token, exchange
from tests.web.mfa_helpers import (
    current_code,
    follow_to_callback,
    recovery_code_on,
    set_up_authenticator,
    submit_second_factor,
    text,
)


def _with_recovery_code(client, sign_in, clock) -> str:
    sign_in("dana.provider")
    _, done = set_up_authenticator(client, clock)
    sign_out(client)
    return recovery_code_on(done)


def test_recovery_code_is_stored_hashed(client, sign_in, user, clock, db):
    code = _with_recovery_code(client, sign_in, clock)
    row = db.session.query(RecoveryCode).one()
    assert row.code_hash.startswith("$argon2id$") and row.code_hash != code
    assert get_hashing().verify(row.code_hash, normalize_code(code))


def test_recovery_code_signs_in_once_then_a_new_one_is_shown(client, sign_in, user, clock, db):
    code = _with_recovery_code(client, sign_in, clock)
    client.get(authorize_url())
    sign_in("dana.provider")
    page = text(client.get("/signin/verify?method=recovery"))
    assert "Recovery Code" in page
    response = submit_second_factor(client, "recovery", " ".join([code[:8], code[8:]]))
    assert response.status_code == 200
    html = text(response)
    assert "Save your recovery code" in html
    new_code = recovery_code_on(response)
    assert new_code and new_code != code and len(new_code) == 16
    # "Continue" resumes the portal login; the ID token says a one-time code was used.
    continued = client.post(
        "/signin/verify/continue", data={"csrf_token": csrf_token(response.data)}
    )
    query = follow_to_callback(client, continued)
    claims = decode_id_token(client, exchange(client, query["code"]).json["id_token"])["claims"]
    assert set(claims["amr"]) == {"pwd", "otp", "mfa"}

    sign_out(client)
    sign_in("dana.provider")
    refused = submit_second_factor(client, "recovery", code)
    assert refused.status_code == 401
    assert "The recovery code you entered is incorrect." in text(refused)
    accepted = submit_second_factor(client, "recovery", new_code)
    assert accepted.status_code == 200 and "Save your recovery code" in text(accepted)


def test_wrong_recovery_code_counts_towards_the_lockout(client, sign_in, user, clock, db):
    _with_recovery_code(client, sign_in, clock)
    sign_in("dana.provider")
    response = submit_second_factor(client, "recovery", "1234567812345678")
    assert response.status_code == 401
    db.session.refresh(user)
    assert user.failed_sign_ins == 1


def test_regenerating_from_my_profile_replaces_the_code(client, sign_in, user, clock):
    code = _with_recovery_code(client, sign_in, clock)
    sign_in("dana.provider")
    clock.advance(seconds=30)
    secret = confirmed_authenticators(user)[0].secret
    submit_second_factor(client, "authenticator", current_code(secret, clock))
    page = client.get("/profile/security")
    assert "Regenerate recovery code" in text(page)
    regenerated = client.post(
        "/profile/security/recovery-code", data={"csrf_token": csrf_token(page.data)}
    )
    new_code = recovery_code_on(regenerated)
    assert new_code and new_code != code
    assert "The old one no longer works." in text(regenerated)

    sign_out(client)
    sign_in("dana.provider")
    assert submit_second_factor(client, "recovery", code).status_code == 401
    assert submit_second_factor(client, "recovery", new_code).status_code == 200


def test_recovery_code_is_not_offered_without_a_strong_method(client, sign_in, user):
    client.get(authorize_url(acr_values="urn:ohid:loa:2"))
    sign_in("dana.provider")
    page = text(client.get("/signin/verify"))
    assert "Recovery code" not in page
    # Asking for it anyway falls back to a method the user has.
    response = submit_second_factor(client, "recovery", "1234567812345678")
    assert "Verification Code" in text(response) and "Recovery Code" not in text(response)
