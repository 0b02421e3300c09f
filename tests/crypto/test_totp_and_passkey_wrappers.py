"""The TOTP and WebAuthn wrappers (idp.crypto.totp, idp.crypto.passkeys). No app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from idp.crypto import passkeys, totp
from idp.errors import PasskeyMissing, PasskeyRejected, TotpCodeInvalid, TotpCodeReused
from idp.testing.softkey import SoftAuthenticator

MOMENT = datetime(2025, 3, 4, 12, 0, 10, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


# --- TOTP --------------------------------------------------------------------------


def test_current_code_is_accepted_and_returns_its_time_step():
    code = totp.code_at(SECRET, MOMENT)
    assert totp.verify_code(SECRET, code, MOMENT, None) == totp.time_step(SECRET, MOMENT)


def test_code_matches_pyotp_reference():
    assert totp.code_at(SECRET, MOMENT) == pyotp.TOTP(SECRET).at(MOMENT)


def test_code_replayed_in_the_same_time_step_is_refused():
    code = totp.code_at(SECRET, MOMENT)
    step = totp.verify_code(SECRET, code, MOMENT, None)
    with pytest.raises(TotpCodeReused) as caught:
        totp.verify_code(SECRET, code, MOMENT + timedelta(seconds=5), step)
    assert caught.value.text == (
        "That code has already been used. Wait for your authenticator app to show a new code."
    )


def test_code_of_an_earlier_step_is_refused_after_a_later_one_was_used():
    earlier = totp.code_at(SECRET, MOMENT - timedelta(seconds=30))
    later_step = totp.time_step(SECRET, MOMENT)
    with pytest.raises(TotpCodeReused):
        totp.verify_code(SECRET, earlier, MOMENT, later_step)


def test_next_step_code_is_accepted_after_the_previous_step_was_used():
    step = totp.time_step(SECRET, MOMENT)
    following = MOMENT + timedelta(seconds=30)
    code = totp.code_at(SECRET, following)
    assert totp.verify_code(SECRET, code, following, step) == step + 1


def test_one_step_of_clock_drift_is_tolerated_but_two_are_not():
    drifted = totp.code_at(SECRET, MOMENT - timedelta(seconds=30))
    assert totp.verify_code(SECRET, drifted, MOMENT, None) == totp.time_step(SECRET, MOMENT) - 1
    too_old = totp.code_at(SECRET, MOMENT - timedelta(seconds=90))
    with pytest.raises(TotpCodeInvalid):
        totp.verify_code(SECRET, too_old, MOMENT, None)


def _wrong_code() -> str:
    return f"{(int(totp.code_at(SECRET, MOMENT)) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "wrong"])
def test_wrong_or_malformed_code_is_invalid(typed):
    typed = _wrong_code() if typed == "wrong" else typed
    with pytest.raises(TotpCodeInvalid) as caught:
        totp.verify_code(SECRET, typed, MOMENT, None)
    assert "Enter the current code from your authenticator app." in caught.value.text


def test_code_typed_with_a_space_in_the_middle_is_accepted():
    code = totp.code_at(SECRET, MOMENT)
    assert totp.verify_code(SECRET, f"{code[:3]} {code[3:]}", MOMENT, None)


def test_provisioning_uri_names_the_issuer_and_account():
    uri = totp.provisioning_uri(SECRET, "dana.provider")
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/One Healthcare ID:dana.provider"
    assert query["issuer"] == ["One Healthcare ID"] and query["secret"] == [SECRET]


def test_new_secrets_are_random_base32_of_160_bits():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) == 32
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


# --- WebAuthn ----------------------------------------------------------------------

RP = passkeys.RelyingParty.for_issuer("http://localhost:8765")
CHALLENGE = b"c" * 32


def _registration_options(challenge=CHALLENGE):
    return passkeys.registration_options(
        RP, "dana.provider", "Dana Provider", b"h" * 32, challenge, exclude_credential_ids=[]
    )


def _registered(key: SoftAuthenticator):
    response = key.create(_registration_options())
    return passkeys.verify_registration(RP, response, CHALLENGE)


def test_relying_party_is_the_issuer_host_and_origin():
    rp = passkeys.RelyingParty.for_issuer("https://ohid.example.test:8443")
    assert rp.id == "ohid.example.test" and rp.origin == "https://ohid.example.test:8443"


def test_registration_options_prefer_resident_key_and_user_verification():
    options = _registration_options()
    assert options["rp"] == {"name": "One Healthcare ID", "id": "localhost"}
    selection = options["authenticatorSelection"]
    assert selection["residentKey"] == "preferred"
    assert selection["userVerification"] == "preferred"


def test_registration_is_verified_and_keeps_transports_and_device_type():
    new = _registered(SoftAuthenticator())
    assert new.transports == ["internal"]
    assert new.device_type == "single_device" and new.user_verified
    assert new.sign_count == 0


def test_synced_passkey_is_multi_device():
    assert _registered(SoftAuthenticator(backup_eligible=True)).device_type == "multi_device"


def test_registration_from_another_origin_is_rejected():
    response = SoftAuthenticator().create(_registration_options(), origin="http://evil.test:8765")
    with pytest.raises(PasskeyRejected) as caught:
        passkeys.verify_registration(RP, response, CHALLENGE)
    assert "We couldn't verify your passkey." in caught.value.text


def test_registration_for_another_rp_id_is_rejected():
    response = SoftAuthenticator().create(_registration_options(), rp_id="evil.test")
    with pytest.raises(PasskeyRejected):
        passkeys.verify_registration(RP, response, CHALLENGE)


def test_registration_answering_another_challenge_is_rejected():
    response = SoftAuthenticator().create(_registration_options(challenge=b"x" * 32))
    with pytest.raises(PasskeyRejected):
        passkeys.verify_registration(RP, response, CHALLENGE)


def _assert(key, new, challenge=CHALLENGE, **kwargs):
    options = passkeys.authentication_options(RP, challenge)
    return key.get(options, **kwargs), new


def test_assertion_is_verified_and_reports_the_new_sign_count():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new)
    result = passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 0)
    assert result.new_sign_count == 1 and result.user_verified
    assert result.credential_id == new.credential_id


def test_discoverable_sign_in_options_have_no_allow_list():
    options = passkeys.authentication_options(RP, CHALLENGE)
    assert options["allowCredentials"] == [] and options["rpId"] == "localhost"


def test_assertion_from_another_origin_is_rejected():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new, origin="http://localhost:9999")
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 0)


def test_assertion_for_another_rp_id_is_rejected():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new, rp_id="evil.test")
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 0)


def test_assertion_for_a_different_challenge_is_rejected():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new, challenge=b"z" * 32)
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 0)


def test_sign_count_that_went_backwards_is_rejected():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new, sign_count=3)
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 5)


def test_sign_count_that_did_not_grow_is_rejected():
    key = SoftAuthenticator()
    new = _registered(key)
    response, _ = _assert(key, new, sign_count=5)
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 5)


def test_signature_by_another_key_is_rejected():
    key, other = SoftAuthenticator(), SoftAuthenticator()
    new = _registered(key)
    _registered(other)
    response, _ = _assert(other, new)
    response["id"] = response["rawId"] = new.credential_id
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, new.public_key, 0)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_credential_says_passkeys_need_javascript(raw):
    with pytest.raises(PasskeyMissing) as caught:
        passkeys.parse_credential(raw)
    assert "Passkeys need JavaScript" in caught.value.text


@pytest.mark.parametrize("raw", ["not json", "[]", json.dumps({"id": 5}), "x" * 70_000])
def test_malformed_credential_is_rejected(raw):
    with pytest.raises(PasskeyRejected):
        passkeys.parse_credential(raw)


def test_garbage_inside_a_credential_is_rejected_not_a_crash():
    response = {"id": "abc", "rawId": "abc", "type": "public-key", "response": {"x": 1}}
    with pytest.raises(PasskeyRejected):
        passkeys.verify_authentication(RP, response, CHALLENGE, b"", 0)
    with pytest.raises(PasskeyRejected):
        passkeys.verify_registration(RP, response, CHALLENGE)
