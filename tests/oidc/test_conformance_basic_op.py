"""The OpenID Foundation's Basic OP certification plan, replayed as tests.

Each test is named after the conformance-suite module it mirrors
(``oidcc-server`` -> ``test_oidcc_server``) and makes the checks that module
makes, for the variant client_auth_type=client_secret_basic (plus the
client_secret_post module), response_type=code, response_mode=default.
The relying party here validates ID tokens the way the suite does: signature
against the JWKS, iss, aud, exp, iat, nonce, at_hash, auth_time.
"""

from __future__ import annotations

import base64
import json
import re
import time
from html import unescape
from urllib.parse import urlencode

import pytest
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from idp.extensions import get_clock
from idp.policy.claims import SCOPE_CLAIMS
from tests.helpers import csrf_token, pkce_pair, query_of
from tests.oidc.portal import basic_auth

ISSUER = "http://localhost:8765"
CLIENT_ID, SECRET, REDIRECT = (
    "optum-connect-claims-online",
    "claims-online-demo-secret",
    "http://localhost:5001/callback",
)


class RelyingParty:
    """The suite's client: builds requests, signs in like a user, checks what comes back."""

    def __init__(self, client, sign_in, client_id=CLIENT_ID, secret=SECRET, redirect=REDIRECT):
        self.client, self.sign_in = client, sign_in
        self.client_id, self.secret, self.redirect = client_id, secret, redirect

    def params(self, **extra) -> dict:
        values = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect,
            "scope": "openid",
        }
        values.update(extra)
        return {k: v for k, v in values.items() if v is not None}

    def authorize(self, **extra):
        return self.client.get("/authorize?" + urlencode(self.params(**extra)))

    def finish(self, response, username="dana.provider", password="Password1"):
        """Follow the IdP's pages (sign-in, consent) until back at the portal."""
        for _ in range(10):
            location = response.headers.get("Location", "")
            if location.startswith(self.redirect):
                return query_of(location)
            if "/signin" in location:
                response = self.sign_in(username, password)
            elif location.endswith("/consent"):
                page = self.client.get("/consent")
                response = self.client.post(
                    "/consent", data={"csrf_token": csrf_token(page.data), "allow": "Allow"}
                )
            else:
                response = self.client.get(location)
        raise AssertionError("never got back to the portal")

    def login(self, **extra) -> dict:
        return self.finish(self.authorize(**extra))

    def token(self, code, **extra):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect}
        data.update(extra)
        return self.client.post(
            "/token", data=data, headers=basic_auth(self.client_id, self.secret)
        )

    def tokens(self, code, **extra) -> dict:
        response = self.token(code, **extra)
        assert response.status_code == 200, response.json
        assert response.headers["Cache-Control"] == "no-store"
        body = response.json
        assert body["token_type"].lower() == "bearer" and body["access_token"]
        return body

    def jwks(self) -> KeySet:
        return KeySet.import_key_set(self.client.get("/.well-known/jwks.json").json)

    def id_token(self, body: dict, nonce=None, max_age=None) -> dict:
        """Validate an ID token as OIDC Core §3.1.3.7 says; return its claims."""
        decoded = jwt.decode(body["id_token"], self.jwks(), algorithms=["RS256"])
        assert decoded.header["alg"] == "RS256" and decoded.header["kid"]
        options = {"iss": {"value": ISSUER}, "aud": {"value": self.client_id}}
        params = {"access_token": body["access_token"]}
        if nonce is not None:
            options["nonce"] = {"value": nonce}
            params["nonce"] = nonce
        if max_age is not None:
            params["max_age"] = max_age
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        # The portal shares the mock's clock, which tests move (like /_qa/clock).
        claims.validate(now=get_clock().timestamp())
        assert isinstance(claims["sub"], str) and claims["sub"]
        assert claims["exp"] > claims["iat"]
        if nonce is None:
            assert "nonce" not in claims
        return dict(claims)

    def userinfo(self, access_token, how="get"):
        header = {"Authorization": f"Bearer {access_token}"}
        if how == "get":
            return self.client.get("/userinfo", headers=header)
        if how == "post_header":
            return self.client.post("/userinfo", headers=header)
        return self.client.post("/userinfo", data={"access_token": access_token})


@pytest.fixture
def rp(client, sign_in, user):
    return RelyingParty(client, sign_in)


def error_redirect(response) -> dict:
    location = response.headers["Location"]
    assert location.startswith(REDIRECT), location
    query = query_of(location)
    assert query["iss"] == ISSUER
    return query


def assert_error_page(response):
    """The suite's "an error must be shown to the user and no redirect made"."""
    assert response.status_code == 400 and "Location" not in response.headers
    assert "We can't sign you in to this site" in response.get_data(as_text=True)


# --- discovery and the basic flow -------------------------------------------------------


def test_oidcc_discovery_endpoint_verification(client):
    meta = client.get("/.well-known/openid-configuration").json
    assert meta["issuer"] == ISSUER
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert meta[name].startswith(ISSUER + "/")
    assert "code" in meta["response_types_supported"]
    assert "public" in meta["subject_types_supported"]
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    assert "openid" in meta["scopes_supported"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]
    assert set(meta["grant_types_supported"]) >= {"authorization_code", "refresh_token"}
    for claim in ("sub", "iss", "auth_time", "acr", "name", "email"):
        assert claim in meta["claims_supported"]
    keys = client.get(meta["jwks_uri"].removeprefix(ISSUER)).json["keys"]
    assert keys and all("d" not in key and "p" not in key for key in keys)


def test_oidcc_server(rp):
    query = rp.login(scope="openid", state="st-oidcc-server", nonce="n-oidcc-server")
    assert query["state"] == "st-oidcc-server"
    body = rp.tokens(query["code"])
    claims = rp.id_token(body, nonce="n-oidcc-server")
    info = rp.userinfo(body["access_token"])
    assert info.status_code == 200 and info.json["sub"] == claims["sub"]


def test_oidcc_idtoken_signature(rp):
    body = rp.tokens(rp.login(nonce="n")["code"])
    header = jwt.decode(body["id_token"], rp.jwks(), algorithms=["RS256"]).header
    published = [key["kid"] for key in rp.client.get("/.well-known/jwks.json").json["keys"]]
    assert header["kid"] in published
    head, payload, signature = body["id_token"].split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(BadSignatureError):
        jwt.decode(tampered, rp.jwks(), algorithms=["RS256"])


def test_oidcc_server_client_secret_post(client, sign_in, user):
    rp = RelyingParty(
        client, sign_in, "optum-pro", "optum-pro-demo-secret", "http://localhost:5003/callback"
    )
    query = rp.login(nonce="n-post")
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"],
            "redirect_uri": rp.redirect,
            "client_id": rp.client_id,
            "client_secret": rp.secret,
        },
    )
    assert response.status_code == 200
    rp.id_token(response.json, nonce="n-post")


def test_oidcc_response_type_missing(rp):
    params = rp.params(state="st")
    del params["response_type"]
    query = error_redirect(rp.client.get("/authorize?" + urlencode(params)))
    assert query["error"] in ("unsupported_response_type", "invalid_request")
    assert query["state"] == "st"


# --- userinfo ----------------------------------------------------------------------------


def userinfo_check(rp, user, how):
    body = rp.tokens(rp.login(scope="openid profile email")["code"])
    info = rp.userinfo(body["access_token"], how)
    assert info.status_code == 200 and info.headers["Content-Type"] == "application/json"
    assert info.json["sub"] == user.sub and info.json["email"] == "dana@example.com"


def test_oidcc_userinfo_get(rp, user):
    userinfo_check(rp, user, "get")


def test_oidcc_userinfo_post_header(rp, user):
    userinfo_check(rp, user, "post_header")


def test_oidcc_userinfo_post_body(rp, user):
    userinfo_check(rp, user, "post_body")


# --- nonce, scopes, parameters -----------------------------------------------------------


def test_oidcc_ensure_request_without_nonce_succeeds_for_code_flow(rp):
    query = rp.login(state=None, nonce=None)
    assert "state" not in query
    rp.id_token(rp.tokens(query["code"]))


def scope_check(rp, scope: str, released: set[str]) -> dict:
    """The claims of ``scope`` come back from UserInfo, and beside them only sub and
    those of the default scopes (profile and email, clients.default_scopes)."""
    body = rp.tokens(rp.login(scope=f"openid {scope}")["code"])
    info = rp.userinfo(body["access_token"]).json
    defaults = set(SCOPE_CLAIMS["profile"]) | set(SCOPE_CLAIMS["email"])
    assert released <= set(info) <= released | defaults | {"sub"}
    return info


def test_oidcc_scope_profile(rp):
    released = {"name", "given_name", "family_name", "preferred_username", "birthdate"}
    info = scope_check(rp, "profile", released)
    assert info["preferred_username"] == "dana.provider" and info["birthdate"] == "1985"


def test_oidcc_scope_email(rp):
    info = scope_check(rp, "email", {"email", "email_verified", "email_shared"})
    assert info["email_verified"] is True and info["email_shared"] is False


def test_oidcc_scope_phone(rp):
    info = scope_check(rp, "phone", {"phone_number", "phone_number_verified"})
    assert info["phone_number"] == "+16125550123"


def test_oidcc_scope_address(rp):
    # The suite skips this module when "address" is not in scopes_supported.
    meta = rp.client.get("/.well-known/openid-configuration").json
    assert "address" not in meta["scopes_supported"]
    rp.sign_in("dana.provider")
    query = error_redirect(rp.authorize(scope="openid address"))
    assert query["error"] == "invalid_scope"


def test_oidcc_scope_all(rp):
    body = rp.tokens(rp.login(scope="openid profile email phone")["code"])
    info = rp.userinfo(body["access_token"]).json
    assert {"name", "email", "phone_number"} <= set(info)


def test_oidcc_ensure_other_scope_order_succeeds(rp):
    body = rp.tokens(rp.login(scope="email openid")["code"])
    assert "email" in rp.userinfo(body["access_token"]).json


def test_oidcc_display_page(rp):
    rp.id_token(rp.tokens(rp.login(display="page")["code"]))


def test_oidcc_display_popup(rp):
    rp.id_token(rp.tokens(rp.login(display="popup")["code"]))


def test_oidcc_ensure_request_with_unknown_parameter_succeeds(rp):
    query = rp.login(extra_parameter_unknown="ignore-me", another="1")
    rp.id_token(rp.tokens(query["code"]))


def test_oidcc_ui_locales(rp):
    assert rp.login(ui_locales="se")["code"]


def test_oidcc_claims_locales(rp):
    assert rp.login(claims_locales="se")["code"]


def test_oidcc_ensure_request_with_acr_values_succeeds(rp):
    body = rp.tokens(rp.login(acr_values="1 2")["code"])
    claims = rp.id_token(body)
    assert claims["acr"] == "urn:ohid:loa:1"


def test_oidcc_claims_essential(rp, user):
    claims = json.dumps({"userinfo": {"name": {"essential": True}}})
    body = rp.tokens(rp.login(scope="openid", claims=claims)["code"])
    info = rp.userinfo(body["access_token"]).json
    assert info["name"] == user.name


def test_oidcc_ensure_request_with_valid_pkce_succeeds(rp):
    verifier, challenge = pkce_pair()
    query = rp.login(code_challenge=challenge, code_challenge_method="S256")
    rp.id_token(rp.tokens(query["code"], code_verifier=verifier))


def test_oidcc_ensure_post_request_succeeds(rp):
    rp.sign_in("dana.provider")
    response = rp.client.post("/authorize", data=rp.params(nonce="n-post", state="s-post"))
    query = rp.finish(response)
    assert query["state"] == "s-post"
    rp.id_token(rp.tokens(query["code"]), nonce="n-post")


# --- request objects (not supported, so rejected as the suite allows) -------------------


def unsigned_request_object(**claims) -> str:
    """An unsigned JWT (alg "none", OIDC Core §6.1) carrying the request parameters."""

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


def test_oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported(rp):
    meta = rp.client.get("/.well-known/openid-configuration").json
    assert meta["request_parameter_supported"] is False
    rp.sign_in("dana.provider")
    request_object = unsigned_request_object(**rp.params(state="in-object"))
    query = error_redirect(rp.authorize(request=request_object, state="outer"))
    assert query["error"] == "request_not_supported" and query["state"] == "outer"


def test_oidcc_ensure_request_object_with_redirect_uri(rp):
    rp.sign_in("dana.provider")
    request_object = unsigned_request_object(**rp.params())
    query = error_redirect(rp.authorize(request=request_object))
    assert query["error"] == "request_not_supported"


def test_request_uri_is_rejected_as_unsupported(rp):
    rp.sign_in("dana.provider")
    query = error_redirect(rp.authorize(request_uri="https://rp.example.com/request.jwt"))
    assert query["error"] == "request_uri_not_supported"


# --- redirect_uri ------------------------------------------------------------------------


def test_oidcc_ensure_registered_redirect_uri(rp):
    assert_error_page(rp.authorize(redirect_uri="https://evil.example/callback"))


def test_oidcc_ensure_redirect_uri_in_authorization_request(client, sign_in, user):
    # A client with ONE registered redirect_uri: OAuth 2.0 could imply it, OIDC may not.
    rp = RelyingParty(
        client,
        sign_in,
        "optum-connect-physician-info",
        "physician-info-demo-secret",
        "http://localhost:5002/callback",
    )
    response = rp.authorize(redirect_uri=None)
    assert_error_page(response)
    assert "redirect_uri" in response.get_data(as_text=True)


# --- prompt, max_age, hints --------------------------------------------------------------


def test_oidcc_prompt_none_not_logged_in(rp):
    query = error_redirect(rp.authorize(prompt="none", state="pn"))
    assert query["error"] in ("login_required", "interaction_required", "consent_required")
    assert query["state"] == "pn"


def test_oidcc_prompt_none_logged_in(rp):
    first = rp.id_token(rp.tokens(rp.login()["code"]))
    response = rp.authorize(prompt="none")
    query = query_of(response.headers["Location"])
    second = rp.id_token(rp.tokens(query["code"]))
    assert second["sub"] == first["sub"]


def test_oidcc_prompt_login(rp, clock):
    first = rp.id_token(rp.tokens(rp.login()["code"]))
    clock.advance(seconds=2)
    # auth_time is real time (SPEC §5.1): the next sign-in is a real second later.
    time.sleep(1.1)
    response = rp.authorize(prompt="login")
    assert "/signin" in response.headers["Location"]
    second = rp.id_token(rp.tokens(rp.finish(response)["code"]))
    assert second["sub"] == first["sub"]
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_max_age_1(rp, clock):
    first = rp.id_token(rp.tokens(rp.login()["code"]))
    clock.advance(seconds=2)
    # auth_time is real time (SPEC §5.1): the next sign-in is a real second later.
    time.sleep(1.1)
    response = rp.authorize(max_age="1")
    assert "/signin" in response.headers["Location"]
    second = rp.id_token(rp.tokens(rp.finish(response)["code"]), max_age=1)
    assert second["auth_time"] > first["auth_time"]


def test_oidcc_max_age_10000(rp, clock):
    first = rp.id_token(rp.tokens(rp.login()["code"]))
    clock.advance(seconds=2)
    response = rp.authorize(max_age="10000")
    query = query_of(response.headers["Location"])
    second = rp.id_token(rp.tokens(query["code"]), max_age=10000)
    assert second["auth_time"] == first["auth_time"]


def test_oidcc_id_token_hint(rp):
    body = rp.tokens(rp.login()["code"])
    first = rp.id_token(body)
    response = rp.authorize(prompt="none", id_token_hint=body["id_token"])
    query = query_of(response.headers["Location"])
    assert "code" in query, query
    assert rp.id_token(rp.tokens(query["code"]))["sub"] == first["sub"]


def test_oidcc_login_hint(rp):
    response = rp.authorize(login_hint="dana.provider")
    page = rp.client.get(response.headers["Location"]).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', page).group(0)
    assert unescape(re.search(r'value="([^"]*)"', field).group(1)) == "dana.provider"


# --- codes and refresh tokens ------------------------------------------------------------


def test_oidcc_codereuse(rp):
    code = rp.login()["code"]
    body = rp.tokens(code)
    second = rp.token(code)
    assert second.status_code == 400 and second.json["error"] == "invalid_grant"
    # The suite also checks the first access token was revoked (RFC 6749 §4.1.2).
    assert rp.userinfo(body["access_token"]).status_code == 401


def test_oidcc_codereuse_30seconds(rp, clock):
    code = rp.login()["code"]
    body = rp.tokens(code)
    clock.advance(seconds=30)
    assert rp.token(code).json["error"] == "invalid_grant"
    assert rp.userinfo(body["access_token"]).status_code == 401


def test_oidcc_refresh_token(rp):
    query = rp.login(scope="openid offline_access", prompt="consent", nonce="n-refresh")
    body = rp.tokens(query["code"])
    original = rp.id_token(body, nonce="n-refresh")
    assert body["refresh_token"]
    response = rp.client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        headers=basic_auth(CLIENT_ID, SECRET),
    )
    assert response.status_code == 200, response.json
    refreshed = response.json
    claims = rp.id_token(refreshed)
    for name in ("iss", "sub", "aud", "auth_time"):
        assert claims[name] == original[name], name
    assert rp.userinfo(refreshed["access_token"]).status_code == 200
    # The refresh token of another client must not work for this one.
    other = rp.client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        headers=basic_auth("provider-express", "provider-express-demo-secret"),
    )
    assert other.status_code == 400 and other.json["error"] == "invalid_grant"
