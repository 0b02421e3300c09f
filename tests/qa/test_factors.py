"""Factors at any time through the QA API: POST and PATCH /_qa/users add or remove an
authenticator app, a passkey, a recovery code, security answers and remembered devices."""

from __future__ import annotations

import json

import pytest

from idp.crypto import totp
from idp.testing.softkey import SoftAuthenticator
from tests.helpers import authorize_url, csrf_token
from tests.web.mfa_helpers import follow_to_callback, submit_second_factor

USER = {
    "username": "qa.factors",
    "email": "qa.factors@example.com",
    "password": "Password1",
    "email_verified": True,
}


def _patch(client, **changes):
    return client.patch("/_qa/users/qa.factors", json=changes)


def _passkey_sign_in(client, key: SoftAuthenticator):
    token = csrf_token(client.get("/signin").data)
    options = client.post("/signin/passkey/options", headers={"X-CSRFToken": token}).json
    return client.post(
        "/signin/passkey",
        data={"csrf_token": token, "credential": json.dumps(key.get(options))},
    )


@pytest.mark.parametrize(("asked", "amr"), [(True, "hwk"), ("hwk", "hwk"), ("swk", "swk")])
def test_a_user_created_with_a_passkey_signs_in_with_it_over_http(client, asked, amr):
    created = client.post("/_qa/users", json={**USER, "passkey": asked})
    assert created.status_code == 201, created.json
    passkey = created.json["passkey"]
    assert passkey["amr"] == [amr, "mfa"] and passkey["rp_id"] == "localhost"
    assert created.json["mfa"]["passkeys"][0]["sign_count"] == 0
    assert len(created.json["recovery_code"]) == 16
    key = SoftAuthenticator()
    key.add(passkey)
    client.get(authorize_url(state="pk"))
    response = _passkey_sign_in(client, key)
    callback = follow_to_callback(client, response)
    assert callback["state"] == "pk" and callback["code"]


def test_patch_adds_an_authenticator_and_its_code_signs_in(client, sign_in, clock):
    client.post("/_qa/users", json=USER)
    added = _patch(client, totp=True)
    assert added.status_code == 200
    secret = added.json["totp_secret"]
    assert added.json["mfa"]["authenticators"] == 1 and added.json["recovery_code"]
    client.get(authorize_url())
    assert sign_in("qa.factors").headers["Location"].endswith("/signin/verify")
    follow_to_callback(
        client, submit_second_factor(client, "authenticator", totp.code_at(secret, clock.now()))
    )


def test_patch_removes_the_last_factor_and_says_what_it_means(client, sign_in):
    client.post("/_qa/users", json={**USER, "totp": True})
    removed = _patch(client, totp=False)
    assert removed.status_code == 200
    assert removed.json["mfa"]["authenticators"] == 0
    assert removed.json["mfa"]["recovery_code"] is False
    assert removed.json["notes"][0].startswith("qa.factors has no authenticator app or passkey")
    assert sign_in("qa.factors").headers["Location"].endswith("/profile")


def test_patch_passkey_false_removes_every_passkey(client):
    client.post("/_qa/users", json={**USER, "passkey": "swk"})
    _patch(client, passkey="hwk")
    assert len(client.get("/_qa/users/qa.factors").json["mfa"]["passkeys"]) == 2
    removed = _patch(client, passkey=False)
    assert removed.json["mfa"]["passkeys"] == [] and "notes" in removed.json


def test_patch_recovery_code_gives_a_new_one_and_false_drops_it(client):
    first = client.post("/_qa/users", json={**USER, "totp": True}).json["recovery_code"]
    again = _patch(client, recovery_code=True).json
    assert again["recovery_code"] != first and again["mfa"]["recovery_code"] is True
    assert _patch(client, recovery_code=False).json["mfa"]["recovery_code"] is False


def test_patch_security_answers_sets_known_answers_or_removes_them(client):
    client.post("/_qa/users", json=USER)
    given = _patch(client, security_answers=True).json
    assert [a["answer"] for a in given["security_answers"]] == ["Rex", "Duluth", "Saab"]
    assert len(given["security_questions"]) == 3
    chosen = [
        {"question": q, "answer": f"answer {n}"}
        for n, q in enumerate(given["security_questions"][::-1])
    ]
    assert _patch(client, security_answers=chosen).json["security_questions"] == [
        c["question"] for c in chosen
    ]
    assert _patch(client, security_answers=False).json["security_questions"] == []


def test_patch_remembered_devices_gives_a_cookie_that_skips_the_second_factor(client, sign_in):
    client.post("/_qa/users", json={**USER, "totp": True})
    remembered = _patch(client, remembered_devices=True).json
    cookie = remembered["device_cookie"]
    assert remembered["mfa"]["remembered_devices"] == 2
    client.set_cookie(cookie["name"], cookie["value"], domain="localhost")
    assert sign_in("qa.factors").headers["Location"].endswith("/profile")
    assert _patch(client, remembered_devices=False).json["mfa"]["remembered_devices"] == 0


def test_patch_a_phone_verified_or_not(client):
    client.post("/_qa/users", json=USER)
    body = _patch(client, phone="6125550188", phone_verified=False).json
    assert body["phone"] == "+16125550188" and body["phone_verified"] is False
    assert _patch(client, phone_verified=True).json["phone_verified"] is True


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"passkey": "yubikey"}, "'passkey': give true (a device-bound passkey, amr hwk)"),
        ({"passkey": 3}, "'passkey' must be a boolean or string."),
        ({"security_answers": [{"question": "x"}]}, "'security_answers': give true"),
        (
            {"security_answers": [{"question": "Who?", "answer": "a"}] * 3},
            "security_answers: question_1: Choose a security question.",
        ),
        ({"totp": "yes"}, "'totp' must be a boolean."),
    ],
)
def test_bad_factor_values_are_400_and_change_nothing(client, changes, detail):
    client.post("/_qa/users", json=USER)
    response = _patch(client, **changes)
    assert response.status_code == 400
    assert response.json["detail"].startswith(detail), response.json["detail"]
    state = client.get("/_qa/users/qa.factors").json
    assert state["mfa"]["passkeys"] == [] and state["security_questions"] == []
