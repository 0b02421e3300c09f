"""/token beyond the code: refresh rotation, client credentials, private_key_jwt;
/revoke (RFC 7009), /introspect (RFC 7662) and /userinfo with a body token."""

from __future__ import annotations

import json
import secrets
import threading
import time
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy import event

from idp.crypto.digests import token_digest
from idp.store.models import AuditEvent, AuthorizationCode, ClientAssertion, Token
from tests.helpers import sign_out
from tests.oidc.portal import (
    CLAIMS_ONLINE,
    add_client,
    basic_auth,
    decode_id_token,
    exchange,
    get_code,
)
from tests.oidc.receiver import portal_backend

ISSUER = "http://localhost:8765"
OFFLINE = "openid profile email offline_access"


def offline_tokens(client, sign_in, **params):
    query = get_code(client, sign_in, scope=OFFLINE, **params)
    response = exchange(client, query["code"])
    assert response.status_code == 200, response.json
    return response.json


def refresh(client, refresh_token, auth=CLAIMS_ONLINE[:2], **extra):
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
    return client.post("/token", data=data, headers=basic_auth(*auth))


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- refresh tokens -----------------------------------------------------------------


def test_offline_access_scope_gets_a_refresh_token(client, sign_in, user):
    assert "refresh_token" in offline_tokens(client, sign_in)


def test_every_code_exchange_gets_a_refresh_token(client, sign_in, user):
    query = get_code(client, sign_in)
    body = exchange(client, query["code"]).json
    assert "offline_access" not in body["scope"] and body["refresh_token"]
    assert refresh(client, body["refresh_token"]).status_code == 200


def test_signing_out_ends_refresh_tokens_without_offline_access_only(client, sign_in, user):
    online = exchange(client, get_code(client, sign_in)["code"]).json
    offline = exchange(client, get_code(client, sign_in, scope=OFFLINE)["code"]).json
    sign_out(client)
    refused = refresh(client, online["refresh_token"])
    assert refused.status_code == 400 and refused.json["error"] == "invalid_grant"
    assert refresh(client, offline["refresh_token"]).status_code == 200


@pytest.mark.parametrize("app_overrides", [{"tokens.refresh_token_requires_offline_access": True}])
def test_the_setting_restores_refresh_tokens_only_with_offline_access(client, sign_in, user):
    query = get_code(client, sign_in)
    assert "refresh_token" not in exchange(client, query["code"]).json
    query = get_code(client, sign_in, scope=OFFLINE)
    assert exchange(client, query["code"]).json["refresh_token"]


def test_no_refresh_token_for_a_client_not_allowed_the_grant(client, sign_in, user):
    add_client(
        client_id="no-refresh",
        client_secret="s3cret-no-refresh",
        redirect_uris=["http://localhost:5009/cb"],
        grant_types=["authorization_code"],
        trusted=True,
    )
    query = get_code(
        client,
        sign_in,
        client_id="no-refresh",
        redirect_uri="http://localhost:5009/cb",
        scope=OFFLINE,
    )
    body = exchange(
        client,
        query["code"],
        client_id="no-refresh",
        secret="s3cret-no-refresh",
        redirect_uri="http://localhost:5009/cb",
    ).json
    assert "access_token" in body and "refresh_token" not in body


def test_refresh_rotates_the_refresh_token_and_keeps_the_login_facts(client, sign_in, user):
    first = offline_tokens(client, sign_in, nonce="n-1")
    original = decode_id_token(client, first["id_token"])["claims"]
    response = refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    second = response.json
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    claims = decode_id_token(client, second["id_token"])["claims"]
    # OIDC Core §12.2: same iss, sub, aud and auth_time; no nonce.
    for name in ("iss", "sub", "aud", "auth_time", "sid", "amr", "acr"):
        assert claims[name] == original[name], name
    assert "nonce" not in claims
    info = client.get("/userinfo", headers=bearer(second["access_token"]))
    assert info.status_code == 200 and info.json["sub"] == user.sub


def test_stored_tokens_hold_digests_and_the_login_facts_of_their_code(
    client, sign_in, user, db, app
):
    query = get_code(client, sign_in, scope=OFFLINE, nonce="n-stored")
    code = (
        db.session.query(AuthorizationCode).filter_by(code_hash=token_digest(query["code"])).one()
    )
    assert (code.nonce, code.used_at, code.claims_request) == ("n-stored", None, None)
    assert code.expires_at - code.created_at == timedelta(
        seconds=app.extensions["mock_ohid.settings"].tokens.authorization_code_seconds
    )
    first = exchange(client, query["code"]).json
    second = refresh(client, first["refresh_token"]).json
    rows = {
        row.access_token_hash: row
        for row in db.session.query(Token).filter_by(user_id=user.id).order_by(Token.id)
    }
    issued = rows[token_digest(first["access_token"])]
    rotated = rows[token_digest(second["access_token"])]
    assert issued.refresh_token_hash == token_digest(first["refresh_token"])
    assert rotated.refresh_token_hash == token_digest(second["refresh_token"])
    for row in (issued, rotated):
        assert row.authorization_code_id == code.id
        assert (row.sid, row.auth_time, row.amr, row.acr) == (
            code.sid,
            code.auth_time,
            code.amr,
            code.acr,
        )
        assert (row.client_id, row.token_type, row.expires_in) == (
            CLAIMS_ONLINE[0],
            "Bearer",
            first["expires_in"],
        )
        assert row.refresh_expires_at - row.issued_at == timedelta(
            seconds=app.extensions["mock_ohid.settings"].tokens.refresh_token_seconds
        )
    assert (issued.parent_id, rotated.parent_id) == (None, issued.id)
    assert issued.scope == OFFLINE and rotated.scope == OFFLINE


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, sign_in, user, db, clock):
    first = offline_tokens(client, sign_in)
    second = refresh(client, first["refresh_token"]).json
    clock.advance(seconds=31)  # past tokens.refresh_grace_seconds
    replay = refresh(client, first["refresh_token"])
    assert replay.status_code == 400 and replay.json["error"] == "invalid_grant"
    # The thief's replay kills the tokens the legitimate client got too.
    assert client.get("/userinfo", headers=bearer(second["access_token"])).status_code == 401
    assert refresh(client, second["refresh_token"]).json["error"] == "invalid_grant"
    assert db.session.query(AuditEvent).filter_by(kind="refresh_token_reused").count() == 1


def test_refresh_token_of_another_client_is_invalid_grant(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    response = refresh(
        client, tokens["refresh_token"], auth=("provider-express", "provider-express-demo-secret")
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_grant"


def test_expired_refresh_token_is_invalid_grant(client, sign_in, user, clock):
    tokens = offline_tokens(client, sign_in)
    clock.advance(days=31)
    assert refresh(client, tokens["refresh_token"]).json["error"] == "invalid_grant"


def test_refresh_may_narrow_but_not_widen_the_scope(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    narrowed = refresh(client, tokens["refresh_token"], scope="openid offline_access").json
    assert narrowed["scope"] == "openid offline_access"
    wider = refresh(client, narrowed["refresh_token"], scope="openid phone offline_access")
    assert wider.status_code == 400 and wider.json["error"] == "invalid_scope"


def test_refresh_without_the_token_is_invalid_request(client):
    response = client.post(
        "/token", data={"grant_type": "refresh_token"}, headers=basic_auth(*CLAIMS_ONLINE[:2])
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_request"


def test_refresh_for_a_deactivated_user_fails(client, sign_in, user, db):
    tokens = offline_tokens(client, sign_in)
    from idp.extensions import now

    user.deactivated_at = now()
    db.session.commit()
    response = refresh(client, tokens["refresh_token"])
    assert response.status_code == 400


def test_public_client_refreshes_with_its_client_id(client, sign_in, user):
    from tests.oidc.portal import pkce_pair

    verifier, challenge = pkce_pair()
    query = get_code(
        client,
        sign_in,
        client_id="optum-provider-portal",
        redirect_uri="http://localhost:5004/callback",
        scope=OFFLINE,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    tokens = exchange(
        client,
        query["code"],
        verifier,
        client_id="optum-provider-portal",
        secret=None,
        redirect_uri="http://localhost:5004/callback",
    ).json
    response = client.post(
        "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "optum-provider-portal",
        },
    )
    assert response.status_code == 200 and response.json["refresh_token"]


# --- client credentials -------------------------------------------------------------


@pytest.fixture
def service_client(app):
    return add_client(
        client_id="claims-batch",
        client_secret="batch-secret-0123456789",
        redirect_uris=["http://localhost:5010/cb"],
        grant_types=["client_credentials"],
        response_types=["code"],
    )


def test_client_credentials_issue_an_access_token_without_refresh(client, service_client, db):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth("claims-batch", "batch-secret-0123456789"),
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["token_type"] == "Bearer" and "refresh_token" not in body
    assert "id_token" not in body
    stored = db.session.query(Token).filter_by(client_id="claims-batch").one()
    assert stored.user_id is None


def test_client_credentials_token_cannot_read_userinfo(client, service_client):
    token = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth("claims-batch", "batch-secret-0123456789"),
    ).json["access_token"]
    response = client.get("/userinfo", headers=bearer(token))
    assert response.status_code == 403 and response.json["error"] == "insufficient_scope"


def test_client_credentials_with_a_user_scope_is_invalid_scope(client, service_client):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials", "scope": "openid"},
        headers=basic_auth("claims-batch", "batch-secret-0123456789"),
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_scope"
    assert "no user" in response.json["error_description"]


def test_client_credentials_for_a_client_without_the_grant_is_unauthorized(client):
    response = client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    )
    assert response.status_code == 400 and response.json["error"] == "unauthorized_client"


def test_public_client_cannot_use_client_credentials(client):
    response = client.post(
        "/token", data={"grant_type": "client_credentials", "client_id": "optum-provider-portal"}
    )
    assert response.json["error"] == "invalid_client"


# --- private_key_jwt ------------------------------------------------------------------


def assertion(key, client_id, audience=f"{ISSUER}/token", alg="RS256", **overrides):
    moment = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": moment,
        "exp": moment + 60,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update(overrides)
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


def jwt_auth(signed: str) -> dict:
    return {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signed,
    }


@pytest.fixture
def rp_key():
    return RSAKey.generate_key(2048, parameters={"kid": "rp-key-1"}, private=True)


@pytest.fixture
def jwt_client(app, rp_key):
    return add_client(
        client_id="pkjwt-portal",
        redirect_uris=["http://localhost:5011/cb"],
        token_endpoint_auth_method="private_key_jwt",
        jwks={"keys": [rp_key.as_dict(private=False)]},
        trusted=True,
    )


def pkjwt_code(client, sign_in):
    return get_code(
        client,
        sign_in,
        client_id="pkjwt-portal",
        redirect_uri="http://localhost:5011/cb",
        scope=OFFLINE,
    )["code"]


def code_request(code):
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost:5011/cb",
    }


def test_private_key_jwt_client_exchanges_a_code(client, sign_in, user, jwt_client, rp_key):
    code = pkjwt_code(client, sign_in)
    data = {**code_request(code), **jwt_auth(assertion(rp_key, "pkjwt-portal"))}
    response = client.post("/token", data=data)
    assert response.status_code == 200, response.json
    assert response.json["id_token"] and response.json["refresh_token"]


def signatures_and_statements(db, monkeypatch, send) -> tuple:
    """``send()``'s response and what it did, in order: "signed" for each JWT signed
    (ID tokens, access tokens), the first word of each SQL statement, "COMMIT"."""
    steps = []
    encode = jwt.encode

    def signing(*args, **kwargs):
        signed = encode(*args, **kwargs)
        steps.append("signed")
        return signed

    def statement(_connection, _cursor, sql, *_args):
        steps.append(sql.split()[0].upper())

    def commit(*_args):
        steps.append("COMMIT")

    monkeypatch.setattr(jwt, "encode", signing)
    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        response = send()
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)
    return response, steps


def assert_written_after_every_signature(steps) -> None:
    """Nothing is written before the last token is signed (SQLite's write lock is
    taken by the first write and held to the commit), and the request commits once."""
    writes = [i for i, step in enumerate(steps) if step in ("INSERT", "UPDATE", "DELETE")]
    signed = [i for i, step in enumerate(steps) if step == "signed"]
    # The ID token and the JWT access token.
    assert len(signed) == 2, steps
    assert writes and min(writes) > max(signed), steps
    assert steps.count("COMMIT") == 1 and steps[-1] == "COMMIT", steps


def test_code_exchange_writes_nothing_until_its_tokens_are_signed(
    client, sign_in, user, db, monkeypatch
):
    code = get_code(client, sign_in)["code"]
    response, steps = signatures_and_statements(db, monkeypatch, lambda: exchange(client, code))
    assert response.status_code == 200, response.json
    assert_written_after_every_signature(steps)


def test_private_key_jwt_exchange_records_its_assertion_after_signing_in_the_one_commit(
    client, sign_in, user, db, jwt_client, rp_key, monkeypatch
):
    code = pkjwt_code(client, sign_in)
    data = {**code_request(code), **jwt_auth(assertion(rp_key, "pkjwt-portal"))}
    response, steps = signatures_and_statements(
        db, monkeypatch, lambda: client.post("/token", data=data)
    )
    assert response.status_code == 200, response.json
    assert_written_after_every_signature(steps)
    assert db.session.query(ClientAssertion).filter_by(client_id="pkjwt-portal").count() == 1


def test_assertion_replayed_while_its_first_use_was_answered_is_refused_and_writes_nothing(
    app, client, sign_in, user, db, jwt_client, rp_key, monkeypatch
):
    # The replay passes the look-up (the first use is not recorded yet) and loses
    # when it records the assertion: its code stays unused, and no token is written.
    from idp.store import oauth as oauth_store

    signed = assertion(rp_key, "pkjwt-portal")
    first_code, second_code = pkjwt_code(client, sign_in), pkjwt_code(client, sign_in)

    def request_of(code):
        return {**code_request(code), **jwt_auth(signed)}

    real_forget = oauth_store.forget_expired_assertions
    rival = []

    def first_use():
        rival.append(app.test_client().post("/token", data=request_of(first_code)))

    def record_after_a_rival(*args):
        if not rival:
            rival.append(None)
            thread = threading.Thread(target=first_use)
            thread.start()
            thread.join()
        return real_forget(*args)

    monkeypatch.setattr(oauth_store, "assertion_seen", lambda *_args: False)
    # Recording starts by forgetting expired ids, this request's first write.
    monkeypatch.setattr(oauth_store, "forget_expired_assertions", record_after_a_rival)
    replay = client.post("/token", data=request_of(second_code))
    assert rival[1].status_code == 200, rival[1].json
    assert replay.status_code in (400, 401) and replay.json["error"] == "invalid_client"
    assert "used before" in replay.json["error_description"]
    assert db.session.query(Token).count() == 1
    unused = db.session.query(AuthorizationCode).filter_by(code_hash=token_digest(second_code))
    assert unused.one().used_at is None


def test_private_key_jwt_accepts_the_issuer_as_audience(client, sign_in, user, jwt_client, rp_key):
    code = pkjwt_code(client, sign_in)
    signed = assertion(rp_key, "pkjwt-portal", audience=ISSUER)
    response = client.post("/token", data={**code_request(code), **jwt_auth(signed)})
    assert response.status_code == 200, response.json


def test_replayed_client_assertion_is_refused(client, sign_in, user, jwt_client, rp_key):
    signed = assertion(rp_key, "pkjwt-portal")
    first = client.post(
        "/token", data={**code_request(pkjwt_code(client, sign_in)), **jwt_auth(signed)}
    )
    assert first.status_code == 200
    second = client.post(
        "/token", data={**code_request(pkjwt_code(client, sign_in)), **jwt_auth(signed)}
    )
    assert second.status_code in (400, 401) and second.json["error"] == "invalid_client"
    assert "used before" in second.json["error_description"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key": "other"}, "signed by another key"),
        ({"aud": "http://evil.example/token"}, "wrong audience"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"iss": "someone-else"}, "iss differs from sub"),
    ],
)
def test_bad_client_assertion_is_invalid_client(
    client, sign_in, user, jwt_client, rp_key, change, reason
):
    key = RSAKey.generate_key(2048, parameters={"kid": "rp-key-1"}) if "key" in change else rp_key
    overrides = {k: v for k, v in change.items() if k != "key"}
    audience = overrides.pop("aud", f"{ISSUER}/token")
    signed = assertion(key, "pkjwt-portal", audience=audience, **overrides)
    response = client.post(
        "/token", data={**code_request(pkjwt_code(client, sign_in)), **jwt_auth(signed)}
    )
    assert response.json["error"] == "invalid_client", reason


def test_private_key_jwt_client_cannot_use_a_secret_instead(client, sign_in, user, jwt_client):
    response = client.post(
        "/token",
        data={**code_request(pkjwt_code(client, sign_in)), "client_id": "pkjwt-portal"},
    )
    assert response.json["error"] == "invalid_client"


def test_es256_assertion_verified_from_a_localhost_jwks_uri(client, sign_in, user):
    key = ECKey.generate_key("P-256", parameters={"kid": "ec-1"}, private=True)
    body = json.dumps(KeySet([key]).as_dict(private=False)).encode()
    with portal_backend(get_body=body) as (base_url, _posts):
        add_client(
            client_id="ec-portal",
            redirect_uris=["http://localhost:5012/cb"],
            token_endpoint_auth_method="private_key_jwt",
            jwks_uri=f"{base_url}/jwks.json",
            trusted=True,
        )
        code = get_code(
            client, sign_in, client_id="ec-portal", redirect_uri="http://localhost:5012/cb"
        )["code"]
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://localhost:5012/cb",
            **jwt_auth(assertion(key, "ec-portal", alg="ES256")),
        }
        response = client.post("/token", data=data)
    assert response.status_code == 200, response.json


def test_jwks_uri_off_this_machine_is_never_fetched(client, sign_in, user, rp_key):
    add_client(
        client_id="remote-keys",
        redirect_uris=["http://localhost:5013/cb"],
        token_endpoint_auth_method="private_key_jwt",
        # An address, not a name: refused without a lookup, with or without a network.
        jwks_uri="https://203.0.113.7/jwks.json",
        trusted=True,
    )
    code = get_code(
        client, sign_in, client_id="remote-keys", redirect_uri="http://localhost:5013/cb"
    )["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://localhost:5013/cb",
        **jwt_auth(assertion(rp_key, "remote-keys")),
    }
    response = client.post("/token", data=data)
    assert response.json["error"] == "invalid_client"
    assert response.json["error_description"] == (
        "The client's keys cannot be read from its jwks_uri: 203.0.113.7 is not loopback "
        "or localhost; security.allowed_fetch_hosts can allow more hosts."
    )


# --- revocation and introspection -----------------------------------------------------


def revoke(client, token, hint=None, auth=CLAIMS_ONLINE[:2]):
    data = {"token": token}
    if hint:
        data["token_type_hint"] = hint
    return client.post("/revoke", data=data, headers=basic_auth(*auth))


def introspect(client, token, auth=CLAIMS_ONLINE[:2]):
    return client.post("/introspect", data={"token": token}, headers=basic_auth(*auth))


def test_revoked_access_token_stops_working(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    response = revoke(client, tokens["access_token"], "access_token")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    # Revoking the access token leaves the refresh token usable.
    assert refresh(client, tokens["refresh_token"]).status_code == 200


def test_revoking_a_refresh_token_revokes_its_access_tokens(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    assert revoke(client, tokens["refresh_token"]).status_code == 200
    assert refresh(client, tokens["refresh_token"]).json["error"] == "invalid_grant"
    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 401


def test_revoking_an_unknown_token_is_still_200(client):
    # RFC 7009 §2.2: invalid tokens do not cause an error response.
    assert revoke(client, "no-such-token").status_code == 200


def test_revoking_another_clients_token_is_refused(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    response = revoke(
        client, tokens["access_token"], auth=("provider-express", "provider-express-demo-secret")
    )
    assert response.status_code == 400
    assert client.get("/userinfo", headers=bearer(tokens["access_token"])).status_code == 200


def test_revoke_needs_client_authentication(client):
    response = client.post("/revoke", data={"token": "x", "client_id": CLAIMS_ONLINE[0]})
    # No Authorization header was used, so no 401 challenge (RFC 6749 §5.2).
    assert response.status_code == 400 and response.json["error"] == "invalid_client"
    assert response.json["error_description"].startswith("This client has a secret")


def test_revoke_without_token_is_invalid_request(client):
    assert revoke_without_token(client).json["error"] == "invalid_request"


def revoke_without_token(client):
    return client.post("/revoke", data={}, headers=basic_auth(*CLAIMS_ONLINE[:2]))


def test_introspection_describes_an_active_access_token(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    body = introspect(client, tokens["access_token"]).json
    assert body["active"] is True
    assert body["sub"] == user.sub and body["username"] == "dana.provider"
    assert body["client_id"] == CLAIMS_ONLINE[0] and body["iss"] == ISSUER
    assert body["scope"] == OFFLINE and body["exp"] > body["iat"]


def test_introspection_of_a_refresh_token_gives_its_own_expiry(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    body = introspect(client, tokens["refresh_token"]).json
    assert body["active"] is True and body["token_type"] == "refresh_token"
    assert body["exp"] - body["iat"] == 2592000


@pytest.mark.parametrize("how", ["revoked", "expired", "unknown", "other client"])
def test_introspection_says_inactive(client, sign_in, user, clock, how):
    tokens = offline_tokens(client, sign_in)
    token, auth = tokens["access_token"], CLAIMS_ONLINE[:2]
    if how == "revoked":
        revoke(client, token)
    elif how == "expired":
        clock.advance(seconds=3601)
    elif how == "unknown":
        token = "not-a-token"
    else:
        auth = ("provider-express", "provider-express-demo-secret")
    assert introspect(client, token, auth).json == {"active": False}


def test_public_client_cannot_introspect(client):
    response = client.post("/introspect", data={"token": "x", "client_id": "optum-provider-portal"})
    assert response.json["error"] == "invalid_client"


# --- userinfo with the token in the body -----------------------------------------------


@pytest.mark.parametrize("app_overrides", [{"clients.default_scopes": ""}])
def test_userinfo_of_a_refreshed_token_keeps_the_claims_its_code_asked_for(client, sign_in, user):
    asked = json.dumps({"userinfo": {"name": {"essential": True}}})
    query = get_code(client, sign_in, scope="openid offline_access", claims=asked)
    first = exchange(client, query["code"]).json
    second = refresh(client, first["refresh_token"]).json
    for body in (first, second):
        info = client.get("/userinfo", headers=bearer(body["access_token"])).json
        assert info["name"] == user.name and "email" not in info, info


def test_userinfo_accepts_the_token_in_a_form_body(client, sign_in, user):
    token = offline_tokens(client, sign_in)["access_token"]
    response = client.post("/userinfo", data={"access_token": token})
    assert response.status_code == 200 and response.json["sub"] == user.sub


def test_userinfo_refuses_a_token_sent_two_ways(client, sign_in, user):
    token = offline_tokens(client, sign_in)["access_token"]
    response = client.post("/userinfo", data={"access_token": token}, headers=bearer(token))
    assert response.status_code == 400 and response.json["error"] == "invalid_request"
