"""The request body cap (server.max_request_kb), answered with a 413 in the
caller's shape: OAuth JSON, the QA API's JSON, or a page."""

from __future__ import annotations

import pytest

from idp.store.models import OAuth2Client
from tests.helpers import csrf_token

REDIRECT = "http://localhost:9000/cb"
SENTENCE = "The request body is larger than 16 KB, the most this server accepts."
BIG = "x" * 20_000


@pytest.fixture
def app_overrides():
    return {"server.max_request_kb": 16}


@pytest.mark.parametrize("path", ["/token", "/revoke", "/introspect"])
def test_too_large_form_at_a_token_endpoint_is_an_oauth_json_413(client, path):
    response = client.post(path, data={"grant_type": "client_credentials", "token": BIG})
    assert response.status_code == 413
    assert response.json == {"error": "invalid_request", "error_description": SENTENCE}
    assert response.headers["Cache-Control"] == "no-store"


def test_too_large_registration_is_invalid_client_metadata_413(client, db):
    response = client.post("/register", json={"redirect_uris": [REDIRECT], "client_name": BIG})
    assert response.status_code == 413
    assert response.json == {"error": "invalid_client_metadata", "error_description": SENTENCE}
    assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0


@pytest.mark.parametrize("path", ["/_qa/users", "/_qa/clock", "/_qa/tokens"])
def test_too_large_body_to_the_qa_api_is_error_and_detail(client, path):
    response = client.post(path, json={"username": BIG})
    assert response.status_code == 413
    assert response.json == {"error": "request_too_large", "detail": SENTENCE}


@pytest.mark.parametrize("path", ["/signin", "/register", "/recover/password"])
def test_too_large_html_form_gets_a_page(client, path):
    token = csrf_token(client.get("/signin").data)
    response = client.post(path, data={"csrf_token": token, "identifier": BIG, "username": BIG})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Too much to send" in page
    assert "What you sent is larger than 16 KB, the most One Healthcare ID accepts." in page


def test_a_body_under_the_cap_is_read_as_usual(client):
    response = client.post("/token", data={"grant_type": "client_credentials", "x": "y" * 8000})
    # Read and answered: no credentials came (400: no Authorization header, RFC 6749 §5.2).
    assert response.status_code == 400 and response.json["error"] == "invalid_client"
