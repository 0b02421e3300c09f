"""POST /_qa/users and GET /_qa/users/<username> (SPEC §5.1)."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_token


def _create(client, **fields):
    body = {"username": "qa.tester", "email": "qa.tester@example.com", "password": "Password1"}
    body.update(fields)
    return client.post("/_qa/users", json=body)


def test_create_user_returns_its_state(client):
    response = _create(
        client,
        first_name="Quinn",
        last_name="Tester",
        year_of_birth=1990,
        phone="612-555-0199",
        email_verified=True,
        phone_verified=True,
    )
    assert response.status_code == 201
    body = response.json
    assert body["username"] == "qa.tester" and body["email_verified"] is True
    assert body["phone"] == "+16125550199" and body["phone_verified"] is True
    assert body["locked"] is False and body["deactivated"] is False


def test_created_user_can_sign_in(client, sign_in):
    _create(client, email_verified=True)
    assert sign_in("qa.tester").headers["Location"].endswith("/profile")


def test_get_user_reads_all_state(client):
    _create(client)
    body = client.get("/_qa/users/QA.TESTER").json
    assert body["email"] == "qa.tester@example.com" and body["failed_sign_ins"] == 0


def test_get_unknown_user_is_404_json(client):
    response = client.get("/_qa/users/nobody")
    assert response.status_code == 404
    assert response.json["error"] == "not_found" and "nobody" in response.json["detail"]


def test_taken_username_is_409(client):
    _create(client)
    response = _create(client, email="other@example.com")
    assert response.status_code == 409
    assert "already taken" in response.json["detail"]


def test_a_reserved_test_domain_email_is_accepted(client):
    response = _create(client, username="quinn.tester", email="quinn@example.test")
    assert response.status_code == 201, response.json
    assert response.json["email"] == "quinn@example.test"


def test_a_taken_email_is_shared_without_regard_to_case(client):
    _create(client)
    response = _create(client, username="qa.other", email="QA.Tester@Example.com")
    assert response.status_code == 201 and response.json["email_shared"] is True


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"username": "abc"}, "6 to 50 characters"),
        ({"username": "bad name"}, "No spaces"),
        ({"username": "bad#name"}, "None of these Symbols"),
        ({"username": "qa.t\u0435ster"}, "No letters with accents"),  # Cyrillic ie
        ({"username": "\uff51a.tester"}, "No letters with accents"),  # fullwidth q
        ({"username": "qa\u200b.tester"}, "No spaces"),
        ({"username": "qa\u202e.tester"}, "No spaces"),
        ({"username": "qa\u00a0tester"}, "No spaces"),
        ({"username": "qa\ttester"}, "No spaces"),
        ({"username": "qa\x00tester"}, "None of these Symbols"),
        ({"password": "password1"}, "At least 1 uppercase letter"),
        ({"password": "Pass 1word"}, "No spaces"),
        ({"password": "Pass&1word"}, "No spaces and no & symbol"),
        ({"password": "Qa.tester1", "username": "Qa.tester1"}, "Cannot be the same"),
        ({"email": "not-an-email"}, "valid email address"),
        ({"phone": "12"}, "valid phone number"),
        ({"year_of_birth": 1700}, "year of birth between"),
    ],
)
def test_bad_field_is_400_naming_the_rule(client, fields, detail):
    response = _create(client, **fields)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert detail in response.json["detail"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"username": "qa.tester"}, "Missing field(s): email, password"),
        ({"username": 5, "email": "a@example.com", "password": "Password1"}, "'username' must be"),
        (
            {
                "username": "qa.tester",
                "email": "a@example.com",
                "password": "Password1",
                "colour": "blue",
            },
            "Unknown field(s): colour",
        ),
        (
            {
                "username": "qa.tester",
                "email": "a@example.com",
                "password": "Password1",
                "year_of_birth": "1980",
            },
            "'year_of_birth' must be a whole number",
        ),
        (
            {
                "username": "qa.tester",
                "email": "a@example.com",
                "password": "Password1",
                "password_age_days": -1,
            },
            "must not be negative",
        ),
    ],
)
def test_malformed_body_is_400(client, body, detail):
    response = client.post("/_qa/users", json=body)
    assert response.status_code == 400 and detail in response.json["detail"]


def test_non_json_body_is_415(client):
    response = client.post("/_qa/users", data="username=x")
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"


def test_locked_user_cannot_sign_in(client, sign_in):
    _create(client, locked=True)
    response = sign_in("qa.tester")
    assert response.status_code == 401 and "locked" in response.get_data(as_text=True)


def test_deactivated_user_is_told_inactive(client, sign_in):
    _create(client, deactivated=True)
    assert "Inactive One Healthcare ID" in sign_in("qa.tester").get_data(as_text=True)


def test_password_age_days_backdates_the_password(client):
    body = _create(client, password_age_days=91).json
    assert body["password_changed_at"] < body["created_at"]


def test_nothing_half_written_after_a_rejected_user(client):
    _create(client, password="weak")
    assert client.get("/_qa/users/qa.tester").status_code == 404


def test_unknown_qa_route_is_json_404(client):
    response = client.get("/_qa/nothing-here")
    assert response.status_code == 404 and response.json["error"] == "not_found"


class TestQaToken:
    @pytest.fixture
    def app_overrides(self):
        return {"qa.token": "s3cret-qa-token"}

    def test_missing_token_is_401(self, client):
        response = client.get("/_qa/users/x")
        assert response.status_code == 401 and response.json["error"] == "unauthorized"

    def test_wrong_token_is_403(self, client):
        response = client.get("/_qa/users/x", headers={"Authorization": "Bearer nope"})
        assert response.status_code == 403

    def test_right_token_is_let_in(self, client):
        response = client.get("/_qa/users/x", headers={"Authorization": "Bearer s3cret-qa-token"})
        assert response.status_code == 404 and response.json["error"] == "not_found"


class TestQaOffOutsideLoopback:
    @pytest.fixture
    def app_overrides(self):
        return {"server.host": "0.0.0.0"}

    def test_qa_api_refuses_without_a_token(self, client):
        response = client.post("/_qa/users", json={})
        assert response.status_code == 403 and "qa.token" in response.json["detail"]


def test_patch_changes_state_and_returns_it(client):
    _create(client)
    body = client.patch(
        "/_qa/users/qa.tester",
        json={
            "first_name": "Renamed",
            "email_verified": True,
            "locked": True,
            "password_age_days": 91,
            "phone": "+16125550188",
            "phone_verified": True,
        },
    ).json
    assert body["first_name"] == "Renamed" and body["email_verified"] is True
    assert body["locked"] is True and body["phone_verified"] is True
    unlocked = client.patch("/_qa/users/qa.tester", json={"locked": False}).json
    assert unlocked["locked"] is False and unlocked["failed_sign_ins"] == 0


def test_patch_password_lets_the_user_sign_in_with_it(client, sign_in):
    _create(client, email_verified=True)
    client.patch("/_qa/users/qa.tester", json={"password": "NewPassword2"})
    assert sign_in("qa.tester", "NewPassword2").headers["Location"].endswith("/profile")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({}, 400, "at least one field"),
        ({"password": "short"}, 400, "Between 8 and 100 characters"),
        ({"email": "nope"}, 400, "valid email address"),
        ({"locked": "yes"}, 400, "'locked' must be a boolean"),
        ({"owner": "me"}, 400, "Unknown field(s): owner"),
    ],
)
def test_patch_bad_input_is_4xx_and_changes_nothing(client, body, status, detail):
    _create(client)
    response = client.patch("/_qa/users/qa.tester", json=body)
    assert response.status_code == status and detail in response.json["detail"]
    assert client.get("/_qa/users/qa.tester").json["email"] == "qa.tester@example.com"


def test_patch_to_a_taken_email_shares_it(client):
    _create(client)
    _create(client, username="qa.other", email="other@example.com")
    response = client.patch("/_qa/users/qa.other", json={"email": "QA.TESTER@example.com"})
    assert response.status_code == 200 and response.json["email_shared"] is True


def test_patch_unknown_user_is_404(client):
    assert client.patch("/_qa/users/ghost", json={"locked": True}).status_code == 404


def test_delete_user(client):
    _create(client)
    assert client.delete("/_qa/users/qa.tester").status_code == 204
    assert client.get("/_qa/users/qa.tester").status_code == 404
    assert client.delete("/_qa/users/qa.tester").status_code == 404


def test_reset_empties_back_to_the_seeded_state(client):
    _create(client)
    client.post("/_qa/clock", json={"advance": "3d"})
    body = client.post("/_qa/reset", json={}).json
    assert body["reset"] is True and "optum-pro" in body["clients"]
    assert client.get("/_qa/users/qa.tester").status_code == 404
    assert client.get("/_qa/clock").json["moved"] is False
    assert client.get("/.well-known/openid-configuration").status_code == 200


def test_events_list_sign_ins_and_failures_for_a_user(client, sign_in):
    _create(client, email_verified=True)
    sign_in("qa.tester", "Wrong12345")
    sign_in("qa.tester")
    kinds = [e["kind"] for e in client.get("/_qa/events?user=qa.tester").json]
    assert kinds[:2] == ["sign_in", "sign_in_failed"] and "account_created" in kinds
    only = client.get("/_qa/events?user=qa.tester&kind=sign_in_failed").json
    assert [e["kind"] for e in only] == ["sign_in_failed"]
    assert client.get("/_qa/events?since=garbage").status_code == 400


def test_patch_refuses_a_name_over_100_characters_rather_than_cutting_it(client):
    _create(client)
    response = client.patch("/_qa/users/qa.tester", json={"last_name": "L" * 101})
    assert response.status_code == 400
    assert "Use 100 characters or fewer." in response.json["detail"]
    assert client.get("/_qa/users/qa.tester").json["last_name"] != "L" * 100


def test_a_user_created_unverified_has_its_activation_email_at_once(client):
    _create(client)
    message = client.get(
        "/_qa/outbox/latest?to=qa.tester@example.com&purpose=email_activation"
    ).json
    assert len(message["code"]) == 10 and message["link"].startswith("http://localhost:8765/")


def test_send_activation_false_creates_an_unverified_user_with_no_email(client):
    assert _create(client, send_activation=False).status_code == 201
    assert client.get("/_qa/outbox?to=qa.tester@example.com").json == []


def test_a_verified_user_gets_no_activation_email(client):
    _create(client, email_verified=True)
    assert client.get("/_qa/outbox?to=qa.tester@example.com").json == []


def test_the_activation_code_sent_at_creation_verifies_after_sign_in(client, sign_in):
    _create(client)
    code = client.get("/_qa/outbox/latest?to=qa.tester@example.com").json["code"]
    assert sign_in("qa.tester").headers["Location"].endswith("/register/verify-email")
    page = client.get("/register/verify-email")
    response = client.post(
        "/register/verify-email", data={"csrf_token": csrf_token(page.data), "code": code}
    )
    assert response.headers["Location"].endswith("/register/email-verified")
    assert client.get("/_qa/users/qa.tester").json["email_verified"] is True
    # One email: the sign-in found the pending code and sent no other.
    assert len(client.get("/_qa/outbox?to=qa.tester@example.com").json) == 1


def test_reset_takes_no_fields(client):
    response = client.post("/_qa/reset", json={"users": "keep"})
    assert response.status_code == 400
    assert response.json["detail"] == "Unknown field(s): users."
