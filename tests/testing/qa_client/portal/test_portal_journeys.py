"""A portal's own suite, written against mock-ohid's public API only: the pytest plugin,
QAClient, the journey helper and the soft authenticator."""

import time

import pytest
import requests
from conftest import SECRET
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.testing import QAError
from idp.testing.journey import Journey, JourneyError
from idp.testing.softkey import SoftAuthenticator


def claims_of(mock_ohid, tokens):
    keys = KeySet.import_key_set(requests.get(f"{mock_ohid.issuer}/.well-known/jwks.json").json())
    return jwt.decode(tokens["id_token"], keys, algorithms=["RS256", "ES256"]).claims


@pytest.mark.parametrize("amr", ["hwk", "swk"])
def test_a_passkey_user_is_created_and_signed_in_over_http(mock_ohid, portal, amr):
    started = time.perf_counter()
    user = mock_ohid.qa.create_user(
        username=f"passkey.{amr}",
        email=f"{amr}@example.com",
        password="Password1",
        email_verified=True,
        passkey=amr,
    )
    key = SoftAuthenticator()
    key.add(user["passkey"])
    journey = Journey(mock_ohid.issuer, mock_ohid.qa, passkey=key)
    callback = journey.sign_in_with_passkey(**portal, scope="openid profile")
    elapsed = time.perf_counter() - started
    claims = claims_of(mock_ohid, journey.exchange(callback, SECRET))
    assert claims["preferred_username"] == f"passkey.{amr}"
    assert claims["amr"][0] == amr and "mfa" in claims["amr"]
    print(f"passkey user {amr}: created and signed in over HTTP in {elapsed * 1000:.0f} ms")


def test_factors_change_through_patch_and_the_journey_uses_them(mock_ohid, portal):
    qa = mock_ohid.qa
    qa.create_user(
        username="factor.user", email="fu@example.com", password="Password1", email_verified=True
    )
    made = qa.add_factor("factor.user", "totp")
    assert made["totp_secret"] and made["recovery_code"]
    journey = Journey(mock_ohid.issuer, qa)
    callback = journey.sign_in("factor.user", "Password1", **portal, scope="openid profile")
    assert "/signin/verify" in journey.trail
    assert "otp" in claims_of(mock_ohid, journey.exchange(callback, SECRET))["amr"]
    key = qa.add_passkey("factor.user", amr="swk")
    again = Journey(mock_ohid.issuer, qa, passkey=key)
    callback = again.sign_in("factor.user", "Password1", **portal, second_factor="passkey")
    assert "swk" in claims_of(mock_ohid, again.exchange(callback, SECRET))["amr"]
    removed = qa.remove_factors("factor.user", "totp", "passkey")
    assert removed["notes"] and removed["mfa"]["passkeys"] == []
    last = Journey(mock_ohid.issuer, qa)
    last.sign_in("factor.user", "Password1", **portal)
    assert "/signin/verify" not in last.trail


def test_recovery_code_from_patch_signs_in_and_the_new_one_is_shown(mock_ohid, portal):
    qa = mock_ohid.qa
    code = qa.create_user(
        username="recovery.user",
        email="ru@example.com",
        password="Password1",
        email_verified=True,
        totp=True,
    )["recovery_code"]
    journey = Journey(mock_ohid.issuer, qa)
    callback = journey.sign_in(
        "recovery.user", "Password1", **portal, second_factor="recovery", recovery_code=code
    )
    assert callback.code


def test_an_unverified_user_has_the_activation_email_at_once(mock_ohid, portal):
    qa = mock_ohid.qa
    qa.create_user(username="late.user", email="late@example.com", password="Password1")
    assert len(qa.latest(to="late@example.com", purpose="email_activation")["code"]) == 10
    journey = Journey(mock_ohid.issuer, qa)
    callback = journey.sign_in("late.user", "Password1", **portal)
    assert "/register/verify-email" in journey.trail and callback.code
    assert len(qa.outbox(to="late@example.com")) == 1


def test_an_unknown_second_factor_name_is_refused_naming_the_valid_ones(mock_ohid, portal):
    qa = mock_ohid.qa
    qa.create_user(
        username="guess.user",
        email="gu@example.com",
        password="Password1",
        email_verified=True,
        totp=True,
    )
    journey = Journey(mock_ohid.issuer, qa)
    with pytest.raises(JourneyError) as info:
        journey.sign_in("guess.user", "Password1", **portal, second_factor="recovery_code")
    assert info.value.detail == (
        "There is no verification method 'recovery_code'. Use one of: authenticator, passkey, "
        "sms, call, email, recovery."
    )
    assert qa.user("guess.user")["failed_sign_ins"] == 0


def test_messages_that_help(mock_ohid):
    qa = mock_ohid.qa
    qa.create_user(username="msg.user", email="mu@example.com", password="Password1")
    with pytest.raises(QAError) as info:
        qa.latest(to="mu@example.com", channel="sms")
    assert "Sent to 'mu@example.com' (newest first): email email_activation." in info.value.detail
    since = qa.clock()["now"]
    assert qa.latest(to="mu@example.com", since="2000-01-01T00:00:00Z")["purpose"] == (
        "email_activation"
    )
    with pytest.raises(QAError):
        qa.latest(to="mu@example.com", since="2199-01-01T00:00:00Z")
    qa.update_user("msg.user", locked=True)
    assert [e["kind"] for e in qa.events(user="msg.user", since=since)] != []
    with pytest.raises(QAError) as bad:
        qa.update_user("msg.user", locked="yes")
    assert bad.value.detail == "'locked' must be a boolean."


@pytest.mark.parametrize("phone_by", ["sms", "call"])
def test_registration_from_a_portal_with_the_phone_by_text_or_call(mock_ohid, portal, phone_by):
    journey = Journey(mock_ohid.issuer, mock_ohid.qa)
    callback = journey.register(
        **portal,
        username=f"new.{phone_by}.user",
        email=f"new.{phone_by}@example.com",
        password="Welcome2Ohid",
        phone="6125550142",
        phone_by=phone_by,
        scope="openid phone",
    )
    claims = claims_of(mock_ohid, journey.exchange(callback, SECRET))
    assert claims["phone_number_verified"] is True
    assert journey.trail[:2] == ["/register/verify-email", "/register/email-verified"]
