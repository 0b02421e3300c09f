"""Each bad input found by hand gets a 4xx with a message, never a 500."""

from __future__ import annotations

import pytest

from tests.helpers import authorize_url, csrf_token


@pytest.mark.parametrize("response_type", ["%C3%A9", "%22", "code%01"])
def test_authorize_with_unprintable_response_type_shows_an_error_page(client, response_type):
    url = authorize_url(response_type="RT").replace(
        "response_type=RT", f"response_type={response_type}"
    )
    response = client.get(url)
    assert response.status_code == 400
    assert b"unsupported_response_type" in response.data
    assert b"Only response_type code is supported" in response.data


@pytest.mark.parametrize("endpoint", ["/revoke", "/introspect", "/token"])
def test_basic_credentials_that_are_not_utf8_are_invalid_client(client, endpoint):
    response = client.post(
        endpoint,
        data={"token": "x", "grant_type": "client_credentials"},
        headers={"Authorization": "Basic //46AA=="},
    )
    assert 400 <= response.status_code < 500
    assert response.json["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("tos_uri", ["http://localhost/tos"], "tos_uri must be a string."),
        ("client_uri", ["http://localhost/"], "client_uri must be a string."),
        ("logo_uri", ["http://localhost/logo.png"], "logo_uri must be a string."),
        ("policy_uri", ["http://localhost/policy"], "policy_uri must be a string."),
        ("jwks_uri", ["http://localhost/jwks"], "jwks_uri must be a string."),
        ("client_name", {"en": "Portal"}, "client_name must be a string."),
        ("jwks", {}, "jwks must be a JSON Web Key Set"),
        ("jwks", {"keys": "none"}, "jwks must be a JSON Web Key Set"),
        ("contacts", "ops@example.com", "contacts must be an array of strings."),
        ("require_auth_time", "yes", "require_auth_time must be true or false."),
    ],
)
def test_registration_with_a_wrongly_typed_field_is_invalid_client_metadata(
    client, field, value, detail
):
    body = {"redirect_uris": ["http://localhost:9000/cb"], field: value}
    response = client.post("/register", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_client_metadata"
    assert detail in response.json["error_description"]


@pytest.mark.parametrize(
    "path",
    ["/signin", "/signin/password", "/recover/password", "/recover/id", "/recover/unlock"],
)
def test_json_body_posted_to_an_html_form_is_415_with_a_page(client, path):
    token = csrf_token(client.get("/signin").data)
    response = client.post(path, json={"identifier": 1}, headers={"X-CSRFToken": token})
    assert response.status_code == 415
    assert b"This page accepts HTML form submissions only." in response.data


def test_json_body_posted_to_the_inbox_answer_button_is_a_flash_not_a_crash(client):
    response = client.post("/_qa/inbox/answer", json="0")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert b"The form expired or was incomplete." in page.data


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (None, "Must not be null: password_age_days."),
        (99999999999, "'password_age_days' must be at most 36500"),
        (-1, "'password_age_days' must not be negative."),
    ],
)
def test_qa_patch_with_an_impossible_password_age_is_400(client, user, value, detail):
    response = client.patch(f"/_qa/users/{user.username}", json={"password_age_days": value})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert detail in response.json["detail"]


@pytest.mark.parametrize("field", ["username", "email", "password", "locked", "deactivated"])
def test_qa_patch_with_null_for_a_required_field_is_400(client, user, field):
    response = client.patch(f"/_qa/users/{user.username}", json={field: None})
    assert response.status_code == 400
    assert response.json["detail"] == f"Must not be null: {field}."


class TestQaToken:
    @pytest.fixture
    def app_overrides(self):
        return {"qa.token": "s3cret-qa-token"}

    def test_non_ascii_bearer_token_is_403(self, client):
        response = client.get("/_qa/clock", headers={"Authorization": "Bearer s3crét"})
        assert response.status_code == 403
        assert response.json == {"error": "forbidden", "detail": "The QA token is wrong."}

    def test_lower_case_bearer_scheme_is_accepted(self, client):
        response = client.get("/_qa/clock", headers={"Authorization": "bearer s3cret-qa-token"})
        assert response.status_code == 200

    def test_other_scheme_is_401(self, client):
        response = client.get("/_qa/clock", headers={"Authorization": "Basic s3cret-qa-token"})
        assert response.status_code == 401
        assert "Authorization: Bearer <token>" in response.json["detail"]


def test_json_body_at_end_session_is_not_read_as_the_logout_form(client):
    response = client.post("/end_session", json=True)
    assert response.status_code == 200
    assert b"Sign out of One Healthcare ID?" in response.data
