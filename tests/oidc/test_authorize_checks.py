"""The authorization endpoint's named checks: a request goes through each once, and
the resume of a saved interaction runs only the checks it has not passed."""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from flask import request

from idp.oidc import authorize
from idp.store.models import OAuth2Client

from ..helpers import authorize_url, csrf_token, query_of
from .portal import CLAIMS_ONLINE, add_client, get_code

REQUEST_CHECKS = [
    "validate_request",
    "require_redirect_uri",
    "limit_nonce_length",
    "refuse_request_objects",
    "check_response_mode",
    "verify_id_token_hint",
]
UNTRUSTED = ("community-portal", "community-secret-123", "http://localhost:5020/cb")


@pytest.fixture
def ran(monkeypatch) -> list[tuple[str, str]]:
    """(endpoint, check) for every check run, in order."""
    seen: list[tuple[str, str]] = []

    def spied(check):
        @functools.wraps(check.run)
        def run(auth):
            seen.append((request.endpoint.removeprefix("oidc."), check.name))
            return check.run(auth)

        return replace(check, run=run)

    monkeypatch.setattr(authorize, "CHECKS", [spied(check) for check in authorize.CHECKS])
    return seen


@pytest.fixture
def validations(monkeypatch) -> list[str]:
    """Every time Authlib validates an authorization request."""
    seen: list[str] = []
    original = AuthorizationCodeGrant.validate_authorization_request

    def counted(grant):
        seen.append(request.endpoint)
        return original(grant)

    monkeypatch.setattr(AuthorizationCodeGrant, "validate_authorization_request", counted)
    return seen


def _runs(ran, endpoint: str) -> list[str]:
    return [name for where, name in ran if where == endpoint]


def test_a_login_passes_the_request_checks_once_and_its_sign_in_resumes_without_them(
    client, sign_in, user, ran, validations
):
    query = get_code(client, sign_in, state="s1", nonce="n1")
    assert query["code"] and query["state"] == "s1"
    assert _runs(ran, "authorize") == [
        *REQUEST_CHECKS,
        "offer_account_creation",
        "require_sso_session",
    ]
    # The password page completed the sign-in and resumed the request in its own
    # request; the sign-in and the journey are passed too.
    assert _runs(ran, "signin.password") == [
        "reload_request",
        "require_sso_session",
        "issue_code",
    ]
    # Authlib validated the request once in the whole login (before: three times).
    assert validations == ["oidc.authorize"]


def test_a_signed_in_request_goes_through_every_check_once(client, sign_in, user, ran):
    sign_in("dana.provider")
    ran.clear()
    response = client.get(authorize_url(state="s2"))
    assert query_of(response.headers["Location"])["code"]
    assert _runs(ran, "authorize") == [
        *REQUEST_CHECKS,
        "offer_account_creation",
        "require_sso_session",
        "require_fresh_sign_in",
        "finish_journey",
        "issue_code",
    ]


@pytest.fixture
def untrusted(app):
    return add_client(
        client_id=UNTRUSTED[0],
        client_name="Community Clinic Portal",
        client_secret=UNTRUSTED[1],
        redirect_uris=[UNTRUSTED[2]],
    )


def test_after_consent_on_an_sso_session_the_resume_asks_the_journey_but_not_the_sign_in(
    client, sign_in, user, untrusted, ran
):
    sign_in("dana.provider")
    response = client.get(authorize_url(UNTRUSTED[0], UNTRUSTED[2], max_age="3600"))
    assert response.headers["Location"].endswith("/consent")
    page = client.get("/consent")
    answer = client.post("/consent", data={"csrf_token": csrf_token(page.data), "allow": "Allow"})
    ran.clear()
    response = client.get(answer.headers["Location"])
    assert response.headers["Location"].startswith(UNTRUSTED[2] + "?code=")
    assert [name for _, name in ran] == [
        "reload_request",
        "require_sso_session",
        "finish_journey",
        "issue_code",
    ]


def test_a_resume_cannot_skip_a_step_the_journey_still_asks(client, sign_in, user, untrusted):
    sign_in("dana.provider")
    client.get(authorize_url(UNTRUSTED[0], UNTRUSTED[2]))
    with client.session_transaction() as state:
        uid = state["interaction"]
    response = client.get(f"/authorize/resume/{uid}")
    assert response.headers["Location"].endswith("/consent")


def test_a_resume_cannot_skip_a_sign_in_the_portal_asked_for(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(prompt="login"))
    uid = query_of(response.headers["Location"])["interaction"]
    response = client.get(f"/authorize/resume/{uid}")
    assert "/signin?interaction=" in response.headers["Location"]
    assert "code=" not in response.headers["Location"]


def test_a_saved_request_whose_portal_was_removed_since_is_refused_on_a_page(
    client, sign_in, user, db
):
    client.get(authorize_url(state="s3"))
    db.session.query(OAuth2Client).filter_by(client_id=CLAIMS_ONLINE[0]).delete()
    db.session.commit()
    resumed = sign_in("dana.provider")
    assert resumed.status_code == 400
    page = resumed.get_data(as_text=True)
    assert "sign you in to this site" in page
    assert "The client does not exist on this server." in page
