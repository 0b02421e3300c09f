"""RP-Initiated Logout 1.0 at /end_session, and Back-Channel Logout 1.0 tokens."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from idp.store.models import AuditEvent, SsoSession
from tests.helpers import authorize_url, csrf_token
from tests.oidc.portal import CLAIMS_ONLINE, add_client, exchange, get_code
from tests.oidc.receiver import portal_backend

ISSUER = "http://localhost:8765"
LOGOUT_URI = "http://localhost:5001/"
EVENT = "http://schemas.openid.net/event/backchannel-logout"


SECRETS = {
    "bc-portal": "bc-secret-0123456789",
    "down-portal": "down-secret-0123456789",
    "far-portal": "far-secret-0123456789",
    "ec-bc-portal": "ec-secret-0123456789",
}


def id_token_of(client, sign_in, **params):
    query = get_code(client, sign_in, **params)
    credentials = {}
    if "client_id" in params and params["client_id"] in SECRETS:
        credentials = {
            "client_id": params["client_id"],
            "secret": SECRETS[params["client_id"]],
            "redirect_uri": params["redirect_uri"],
        }
    return exchange(client, query["code"], **credentials).json["id_token"]


def end_session(client, **params):
    return client.get("/end_session?" + urlencode(params))


def is_signed_in(client) -> bool:
    response = client.get(authorize_url(prompt="none"))
    return "code=" in response.headers["Location"]


def test_logout_with_id_token_hint_redirects_with_state(client, sign_in, user, db):
    id_token = id_token_of(client, sign_in)
    response = end_session(
        client, id_token_hint=id_token, post_logout_redirect_uri=LOGOUT_URI, state="bye-1"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == LOGOUT_URI + "?state=bye-1"
    assert not is_signed_in(client)
    assert db.session.query(SsoSession).one().ended_at is not None


def test_logout_by_post_works_too(client, sign_in, user):
    id_token = id_token_of(client, sign_in)
    response = client.post(
        "/end_session", data={"id_token_hint": id_token, "post_logout_redirect_uri": LOGOUT_URI}
    )
    assert response.headers["Location"] == LOGOUT_URI


def _expired_copy(id_token: str) -> str:
    """The same ID token, signed again by our key with an ``exp`` already past."""
    from idp.extensions import get_clock, get_key_store

    store, moment = get_key_store(), get_clock().now()
    token = jwt.decode(id_token, store.verification_key_set(moment), algorithms=["RS256"])
    claims = {**token.claims, "exp": token.claims["iat"] - 60}
    return jwt.encode(token.header, claims, store.signing_key("RS256", moment).private_key())


def test_expired_id_token_hint_is_still_accepted(client, sign_in, user):
    id_token = _expired_copy(id_token_of(client, sign_in))
    response = end_session(client, id_token_hint=id_token, post_logout_redirect_uri=LOGOUT_URI)
    assert response.headers["Location"] == LOGOUT_URI
    assert not is_signed_in(client)


def test_logout_without_a_redirect_shows_signed_out_page(client, sign_in, user):
    id_token = id_token_of(client, sign_in)
    response = end_session(client, id_token_hint=id_token)
    assert response.status_code == 200
    assert "You have signed out" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_unregistered_post_logout_redirect_uri_is_never_followed(client, sign_in, user):
    id_token = id_token_of(client, sign_in)
    response = end_session(
        client, id_token_hint=id_token, post_logout_redirect_uri="http://evil.example/"
    )
    assert response.status_code == 200 and "Location" not in response.headers
    assert "You have signed out" in response.get_data(as_text=True)


def test_redirect_uri_of_another_client_is_not_followed(client, sign_in, user):
    id_token = id_token_of(client, sign_in)
    response = end_session(
        client, id_token_hint=id_token, post_logout_redirect_uri="http://localhost:5005/"
    )
    assert "Location" not in response.headers


def test_logout_without_hint_asks_to_confirm(client, sign_in, user):
    sign_in("dana.provider")
    response = end_session(
        client, client_id=CLAIMS_ONLINE[0], post_logout_redirect_uri=LOGOUT_URI, state="x"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sign out of One Healthcare ID?" in page
    assert "Optum Connect - Claims Online Portal" in page
    assert is_signed_in(client)
    confirmed = client.post(
        "/end_session",
        data={
            "csrf_token": csrf_token(page),
            "client_id": CLAIMS_ONLINE[0],
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "x",
        },
    )
    assert confirmed.headers["Location"] == LOGOUT_URI + "?state=x"
    assert not is_signed_in(client)


def test_confirmation_without_csrf_signs_nobody_out(client, sign_in, user):
    sign_in("dana.provider")
    response = client.post("/end_session", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert "This sign-out request has expired" in response.get_data(as_text=True)
    assert is_signed_in(client)


def test_hint_for_another_user_asks_to_confirm(client, sign_in, user, user_factory, app):
    other_browser = app.test_client()
    from tests.helpers import SignIn

    user_factory(username="other.provider", email="other@example.com")
    other_token = id_token_of(other_browser, SignIn(other_browser), username="other.provider")
    sign_in("dana.provider")
    response = end_session(client, id_token_hint=other_token)
    assert "Sign out of One Healthcare ID?" in response.get_data(as_text=True)
    assert is_signed_in(client)


def test_hint_from_a_browser_without_that_session_asks_and_ends_no_other_session(
    client, sign_in, user, app, db
):
    id_token = id_token_of(client, sign_in)
    cookieless = app.test_client()
    response = end_session(
        cookieless, id_token_hint=id_token, post_logout_redirect_uri=LOGOUT_URI, state="s"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sign out of One Healthcare ID?" in page
    assert "You are not signed in to One Healthcare ID on this device." in page
    assert is_signed_in(client)
    confirmed = cookieless.post(
        "/end_session",
        data={
            "csrf_token": csrf_token(page),
            "id_token_hint": id_token,
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "s",
        },
    )
    assert confirmed.headers["Location"] == LOGOUT_URI + "?state=s"
    # Confirming in a browser that holds no session ends nobody else's.
    assert is_signed_in(client)
    assert db.session.query(SsoSession).one().ended_at is None


@pytest.mark.parametrize(
    ("hint", "reason"),
    [("not-a-jwt", "garbage"), ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "unsigned")],
)
def test_bad_id_token_hint_is_an_error_page_and_no_redirect(client, sign_in, user, hint, reason):
    sign_in("dana.provider")
    response = end_session(client, id_token_hint=hint, post_logout_redirect_uri=LOGOUT_URI)
    assert response.status_code == 400 and "Location" not in response.headers, reason
    assert "invalid_request" in response.get_data(as_text=True)
    assert is_signed_in(client)


def test_client_id_that_is_not_the_hints_audience_is_refused(client, sign_in, user):
    id_token = id_token_of(client, sign_in)
    response = end_session(client, id_token_hint=id_token, client_id="provider-express")
    assert response.status_code == 400
    assert is_signed_in(client)


# --- back-channel logout ----------------------------------------------------------------


def test_logout_posts_a_logout_token_to_the_portal(client, sign_in, user, db):
    with portal_backend() as (base_url, posts):
        add_client(
            client_id="bc-portal",
            client_secret="bc-secret-0123456789",
            redirect_uris=["http://localhost:5030/cb"],
            post_logout_redirect_uris=["http://localhost:5030/"],
            backchannel_logout_uri=f"{base_url}/backchannel",
            trusted=True,
        )
        id_token = id_token_of(
            client,
            sign_in,
            client_id="bc-portal",
            redirect_uri="http://localhost:5030/cb",
            nonce="n",
        )
        get_code(client, sign_in)  # a second portal without a back-channel URI
        end_session(client, id_token_hint=id_token)
    assert len(posts) == 1
    post = posts[0]
    assert post["path"] == "/backchannel"
    assert post["content_type"] == "application/x-www-form-urlencoded"
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    token = jwt.decode(post["form"]["logout_token"], keys, algorithms=["RS256"])
    claims = token.claims
    assert token.header["typ"] == "logout+jwt" and token.header["kid"]
    assert claims["iss"] == ISSUER and claims["aud"] == "bc-portal"
    assert claims["sub"] == user.sub and claims["events"] == {EVENT: {}}
    assert claims["sid"] == db.session.query(SsoSession).one().id
    assert claims["jti"] and claims["iat"] and claims["exp"] > claims["iat"]
    assert "nonce" not in claims
    event = db.session.query(AuditEvent).filter_by(kind="backchannel_logout").one()
    assert event.detail["result"] == "HTTP 200"


def test_sign_out_page_also_sends_logout_tokens(client, sign_in, user):
    with portal_backend() as (base_url, posts):
        add_client(
            client_id="bc-portal",
            client_secret="bc-secret-0123456789",
            redirect_uris=["http://localhost:5030/cb"],
            backchannel_logout_uri=f"{base_url}/bc",
            trusted=True,
        )
        get_code(client, sign_in, client_id="bc-portal", redirect_uri="http://localhost:5030/cb")
        page = client.get("/profile")
        client.post("/signout", data={"csrf_token": csrf_token(page.data)})
    assert len(posts) == 1 and "logout_token" in posts[0]["form"]


def test_unreachable_portal_does_not_stop_the_logout(client, sign_in, user, db, unused_port):
    add_client(
        client_id="down-portal",
        client_secret="down-secret-0123456789",
        redirect_uris=["http://localhost:5031/cb"],
        backchannel_logout_uri=f"http://localhost:{unused_port}/bc",
        trusted=True,
    )
    id_token = id_token_of(
        client, sign_in, client_id="down-portal", redirect_uri="http://localhost:5031/cb"
    )
    response = end_session(client, id_token_hint=id_token)
    assert "You have signed out" in response.get_data(as_text=True)
    event = db.session.query(AuditEvent).filter_by(kind="backchannel_logout").one()
    assert event.detail["result"].startswith("failed")


def test_back_channel_uri_off_the_fetch_rule_is_refused(client, sign_in, user, db):
    add_client(
        client_id="far-portal",
        client_secret="far-secret-0123456789",
        redirect_uris=["http://localhost:5032/cb"],
        backchannel_logout_uri="https://192.0.2.10/bc",
        trusted=True,
    )
    id_token = id_token_of(
        client, sign_in, client_id="far-portal", redirect_uri="http://localhost:5032/cb"
    )
    end_session(client, id_token_hint=id_token)
    event = db.session.query(AuditEvent).filter_by(kind="backchannel_logout").one()
    assert event.detail["result"] == (
        "refused: 192.0.2.10 is not loopback or localhost; "
        "security.allowed_fetch_hosts can allow more hosts"
    )


def test_es256_portal_gets_an_es256_logout_token(client, sign_in, user):
    with portal_backend() as (base_url, posts):
        add_client(
            client_id="ec-bc-portal",
            client_secret="ec-secret-0123456789",
            redirect_uris=["http://localhost:5033/cb"],
            backchannel_logout_uri=f"{base_url}/bc",
            id_token_signed_response_alg="ES256",
            trusted=True,
        )
        id_token = id_token_of(
            client, sign_in, client_id="ec-bc-portal", redirect_uri="http://localhost:5033/cb"
        )
        end_session(client, id_token_hint=id_token)
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    token = jwt.decode(posts[0]["form"]["logout_token"], keys, algorithms=["ES256"])
    assert token.header["alg"] == "ES256"
