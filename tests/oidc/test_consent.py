"""Share my One Healthcare ID: the consent screen for portals that are not trusted."""

from __future__ import annotations

import json

import pytest

from idp.store.models import AuditEvent, ConsentGrant
from tests.helpers import authorize_url, csrf_token, query_of
from tests.oidc.portal import add_client, allow_consent

ISSUER = "http://localhost:8765"
PORTAL = ("community-portal", "community-secret-123", "http://localhost:5020/cb")


@pytest.fixture
def portal(app):
    return add_client(
        client_id=PORTAL[0],
        client_name="Community Clinic Portal",
        client_secret=PORTAL[1],
        redirect_uris=[PORTAL[2]],
    )


def start(client, **params):
    return client.get(authorize_url(PORTAL[0], PORTAL[2], **params))


def signed_in_start(client, sign_in, **params):
    """Sign in first (through the portal request), return the step after the password."""
    response = start(client, **params)
    assert "/signin" in response.headers["Location"]
    return sign_in("dana.provider")


def test_first_sign_in_to_an_untrusted_portal_asks_to_share(client, sign_in, user, portal):
    response = signed_in_start(client, sign_in, scope="openid profile email phone")
    assert response.headers["Location"].endswith("/consent")
    page = client.get("/consent").get_data(as_text=True)
    assert "<h1>Share my One Healthcare ID</h1>" in page
    assert "Community Clinic Portal" in page
    for text in ("Your One Healthcare ID", "Your email address", "Your phone number"):
        assert text in page
    assert ">Allow<" in page or 'value="Allow"' in page
    assert 'value="Cancel"' in page


def test_allow_continues_to_the_portal_with_a_code(client, sign_in, user, portal, db):
    response = signed_in_start(client, sign_in, state="s1")
    response = allow_consent(client, response)
    location = response.headers["Location"]
    assert location.startswith(PORTAL[2])
    query = query_of(location)
    assert query["code"] and query["state"] == "s1" and query["iss"] == ISSUER
    grant = db.session.query(ConsentGrant).one()
    assert grant.client_id == PORTAL[0] and grant.scopes == ["email", "profile"]


def test_the_answer_is_remembered_for_the_portal(client, sign_in, user, portal):
    allow_consent(client, signed_in_start(client, sign_in))
    again = start(client)
    assert again.headers["Location"].startswith(PORTAL[2] + "?code=")


def test_asking_for_more_than_was_allowed_asks_again(client, sign_in, user, portal):
    allow_consent(client, signed_in_start(client, sign_in, scope="openid email"))
    more = start(client, scope="openid email phone")
    assert more.headers["Location"].endswith("/consent")
    page = client.get("/consent").get_data(as_text=True)
    assert "Your phone number" in page


def test_prompt_consent_asks_again_even_when_remembered(client, sign_in, user, portal):
    allow_consent(client, signed_in_start(client, sign_in))
    response = start(client, prompt="consent")
    assert response.headers["Location"].endswith("/consent")
    response = allow_consent(client, response)
    assert response.headers["Location"].startswith(PORTAL[2] + "?code=")


def test_prompt_consent_asks_even_a_trusted_portal(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(prompt="consent"))
    assert response.headers["Location"].endswith("/consent")


def test_trusted_portal_skips_the_screen(client, sign_in, user, db):
    sign_in("dana.provider")
    response = client.get(authorize_url())
    assert "code=" in response.headers["Location"]
    assert db.session.query(ConsentGrant).count() == 0


def test_cancel_sends_access_denied_back_with_state_and_iss(client, sign_in, user, portal, db):
    signed_in_start(client, sign_in, state="st-9")
    page = client.get("/consent")
    declined = client.post(
        "/consent", data={"csrf_token": csrf_token(page.data), "cancel": "Cancel"}
    )
    # The sign-in pages hand the declined interaction back to the authorization endpoint.
    assert "/authorize/resume/" in declined.headers["Location"]
    response = client.get(declined.headers["Location"])
    query = query_of(response.headers["Location"])
    assert response.headers["Location"].startswith(PORTAL[2])
    assert query["error"] == "access_denied" and query["state"] == "st-9"
    assert query["iss"] == ISSUER
    assert db.session.query(ConsentGrant).count() == 0
    assert db.session.query(AuditEvent).filter_by(kind="consent_declined").count() == 1
    # Cancel abandons the sign-in too: the next request starts at the sign-in page.
    assert "/signin?interaction=" in start(client).headers["Location"]


def test_prompt_none_without_consent_is_consent_required(client, sign_in, user, portal):
    sign_in("dana.provider")
    response = start(client, prompt="none", state="q")
    query = query_of(response.headers["Location"])
    assert query["error"] == "consent_required" and query["state"] == "q"
    assert query["iss"] == ISSUER


@pytest.mark.parametrize("app_overrides", [{"clients.default_scopes": ""}])
def test_claims_parameter_claims_are_listed_and_released(client, sign_in, user, portal):
    claims = json.dumps({"userinfo": {"phone_number": {"essential": True}}})
    response = signed_in_start(client, sign_in, scope="openid", claims=claims)
    page = client.get("/consent").get_data(as_text=True)
    assert "Your phone number" in page and "Your email address" not in page
    allow_consent(client, response)


def test_offline_access_is_explained_on_the_screen(client, sign_in, user, portal):
    signed_in_start(client, sign_in, scope="openid offline_access")
    page = client.get("/consent").get_data(as_text=True)
    assert "while you are signed out" in page


def test_offline_access_is_not_promised_by_a_portal_without_refresh_tokens(client, sign_in, user):
    add_client(
        client_id="code-only-portal",
        client_secret="code-only-secret-123",
        redirect_uris=["http://localhost:5021/cb"],
        grant_types=["authorization_code"],
    )
    client.get(
        authorize_url("code-only-portal", "http://localhost:5021/cb", scope="openid offline_access")
    )
    sign_in("dana.provider")
    page = client.get("/consent").get_data(as_text=True)
    assert "Share my One Healthcare ID" in page
    assert "while you are signed out" not in page


def test_consent_page_without_a_request_is_an_error(client, user, sign_in):
    sign_in("dana.provider")
    response = client.get("/consent")
    assert response.status_code == 400
    assert "This sign-in request has expired" in response.get_data(as_text=True)


def test_consent_form_without_csrf_changes_nothing(client, sign_in, user, portal, db):
    signed_in_start(client, sign_in)
    response = client.post("/consent", data={"allow": "Allow"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert db.session.query(ConsentGrant).count() == 0
