"""QA API for multi-factor (SPEC §5.1): totp: true and GET /_qa/users/<u>/totp."""

from __future__ import annotations

from idp.crypto import totp
from tests.helpers import authorize_url
from tests.web.mfa_helpers import follow_to_callback, submit_second_factor

NEW_USER = {
    "username": "qa.totp",
    "email": "qa.totp@example.com",
    "password": "Password1",
    "email_verified": True,
}


def test_create_user_with_totp_returns_its_secret(client, clock):
    response = client.post("/_qa/users", json={**NEW_USER, "totp": True})
    assert response.status_code == 201
    body = response.json
    assert len(body["totp_secret"]) == 32
    assert len(body["recovery_code"]) == 16
    assert body["mfa"]["authenticators"] == 1 and body["mfa"]["recovery_code"] is True


def test_totp_endpoint_returns_secret_and_current_code(client, clock):
    secret = client.post("/_qa/users", json={**NEW_USER, "totp": True}).json["totp_secret"]
    body = client.get("/_qa/users/qa.totp/totp").json
    assert body == {"secret": secret, "code": totp.code_at(secret, clock.now())}


def test_totp_code_follows_the_qa_clock(client, clock):
    from datetime import timedelta

    secret = client.post("/_qa/users", json={**NEW_USER, "totp": True}).json["totp_secret"]
    moved_to = clock.now() + timedelta(days=1)
    client.post("/_qa/clock", json={"advance": "1d"})
    code = client.get("/_qa/users/qa.totp/totp").json["code"]
    # The code of the moved clock (give or take the seconds this test takes).
    assert code in {totp.code_at(secret, moved_to + timedelta(seconds=s)) for s in (0, 30, 60)}


def test_qa_code_signs_a_qa_user_in_to_a_portal(client, sign_in, clock):
    client.post("/_qa/users", json={**NEW_USER, "totp": True})
    client.get(authorize_url())
    assert sign_in("qa.totp").headers["Location"].endswith("/signin/verify")
    code = client.get("/_qa/users/qa.totp/totp").json["code"]
    follow_to_callback(client, submit_second_factor(client, "authenticator", code))


def test_totp_for_a_user_without_an_authenticator_is_404(client):
    client.post("/_qa/users", json=NEW_USER)
    response = client.get("/_qa/users/qa.totp/totp")
    assert response.status_code == 404
    assert response.json == {
        "error": "not_found",
        "detail": "qa.totp has no authenticator app set up.",
    }


def test_totp_for_an_unknown_user_is_404(client):
    response = client.get("/_qa/users/nobody.here/totp")
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_totp_field_must_be_a_boolean(client):
    response = client.post("/_qa/users", json={**NEW_USER, "totp": "yes"})
    assert response.status_code == 400
    assert response.json == {"error": "invalid_request", "detail": "'totp' must be a boolean."}


def test_user_state_lists_mfa_methods(client):
    client.post("/_qa/users", json=NEW_USER)
    assert client.get("/_qa/users/qa.totp").json["mfa"] == {
        "authenticators": 0,
        "passkeys": [],
        "recovery_code": False,
        "remembered_devices": 0,
    }


def test_an_unknown_method_name_is_400_naming_the_valid_ones(client, sign_in):
    client.post("/_qa/users", json={**NEW_USER, "totp": True})
    sign_in("qa.totp")
    page = client.get("/signin/verify?method=recovery_code")
    assert page.status_code == 400
    assert (
        "There is no verification method &#39;recovery_code&#39;. Use one of: "
        "authenticator, passkey, sms, call, email, recovery." in page.get_data(as_text=True)
    )


def test_a_code_posted_to_an_unknown_method_is_not_checked_and_not_counted(client, sign_in):
    from tests.helpers import csrf_token

    client.post("/_qa/users", json={**NEW_USER, "totp": True})
    sign_in("qa.totp")
    token = csrf_token(client.get("/signin/verify").data)
    code = client.get("/_qa/users/qa.totp/totp").json["code"]
    response = client.post(
        "/signin/verify?method=recovery_code", data={"csrf_token": token, "code": code}
    )
    assert response.status_code == 400
    assert client.get("/_qa/users/qa.totp").json["failed_sign_ins"] == 0
    wrong = client.post("/signin/verify?method=otp", data={"csrf_token": token, "code": "000000"})
    assert wrong.status_code == 400
    assert client.get("/_qa/users/qa.totp").json["failed_sign_ins"] == 0


def test_a_method_the_user_lacks_is_400_naming_theirs(client, sign_in):
    client.post("/_qa/users", json={**NEW_USER, "totp": True})
    sign_in("qa.totp")
    page = client.get("/signin/verify?method=sms")
    assert page.status_code == 400
    assert (
        "&#39;sms&#39; is not a verification method of this account. Use one of: "
        "authenticator, email, recovery." in page.get_data(as_text=True)
    )


def test_every_method_name_verifies_by_that_name(client, sign_in):
    client.post("/_qa/users", json={**NEW_USER, "totp": True})
    sign_in("qa.totp")
    for name in ("authenticator", "email", "recovery"):
        assert client.get(f"/signin/verify?method={name}").status_code == 200
