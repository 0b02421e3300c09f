"""Requests racing for one code, refresh token or client assertion: exactly one wins."""

from __future__ import annotations

import threading

import pytest

from idp.crypto.digests import token_digest
from idp.store import oauth as oauth_store
from idp.store.models import AuditEvent, Token
from tests.oidc import test_tokens
from tests.oidc.portal import exchange, get_code
from tests.oidc.test_tokens import (
    assertion,
    code_request,
    jwt_auth,
    offline_tokens,
    pkjwt_code,
    refresh,
)

# The private_key_jwt client and its key, as test_tokens makes them.
jwt_client = test_tokens.jwt_client
rp_key = test_tokens.rp_key


def _race(app, work, count=2) -> list:
    """Run ``work(client)`` in ``count`` threads at once; return their responses."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        client = app.test_client()
        barrier.wait()
        results.append(work(client))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_racing_exchanges_of_one_code_have_one_winner(app, client, sign_in, user):
    code = get_code(client, sign_in)["code"]
    responses = _race(app, lambda c: exchange(c, code))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 400]
    loser = next(r for r in responses if r.status_code == 400)
    assert loser.json["error"] == "invalid_grant"


def exchange_losing_the_claim(app, client, code, monkeypatch) -> tuple:
    """Exchange ``code`` while a rival request redeems it between this request's checks
    and its claim: the rival runs to its commit, in its own thread and database
    connection, just before this request claims. Returns (this answer, the rival's)."""
    real_claim = oauth_store.claim_code
    rival = []

    def claim_after_a_rival(code_id, moment):
        if not rival:
            rival.append(None)
            thread = threading.Thread(
                target=lambda: rival.append(exchange(app.test_client(), code))
            )
            thread.start()
            thread.join()
        return real_claim(code_id, moment)

    monkeypatch.setattr(oauth_store, "claim_code", claim_after_a_rival)
    return exchange(client, code), rival[1]


def assert_only_the_rivals_token_is_left_revoked(client, db, rival) -> None:
    """After a lost claim: the one token row is the rival's, revoked (the code was
    redeemed twice), and the reuse is recorded."""
    assert rival.status_code == 200, rival.json
    access = rival.json["access_token"]
    token = db.session.query(Token).one()
    assert token.access_token_hash == token_digest(access)
    assert token.access_revoked_at is not None
    assert client.get("/userinfo", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    assert db.session.query(AuditEvent).filter_by(kind="authorization_code_reused").count() == 1


def test_exchange_losing_its_claim_is_invalid_grant_and_writes_no_token(
    app, client, sign_in, user, db, monkeypatch
):
    code = get_code(client, sign_in)["code"]
    loser, rival = exchange_losing_the_claim(app, client, code, monkeypatch)
    assert loser.status_code == 400 and loser.json["error"] == "invalid_grant"
    assert_only_the_rivals_token_is_left_revoked(client, db, rival)


def test_racing_exchanges_of_one_code_leave_one_token_and_revoke_it(app, client, sign_in, user, db):
    code = get_code(client, sign_in)["code"]
    responses = _race(app, lambda c: exchange(c, code))
    assert sorted(r.status_code for r in responses) == [200, 400]
    # Whether the loser read the code used or lost the claim, the code was redeemed
    # twice: the winner's tokens are revoked (RFC 6749 §4.1.2).
    assert_only_the_rivals_token_is_left_revoked(
        client, db, next(r for r in responses if r.status_code == 200)
    )


class TestWithoutGraceWindow:
    @pytest.fixture
    def app_overrides(self):
        return {"tokens.refresh_grace_seconds": 0}

    def test_racing_refreshes_of_one_token_have_one_winner(self, app, client, sign_in, user):
        refresh_token = offline_tokens(client, sign_in)["refresh_token"]
        responses = _race(app, lambda c: refresh(c, refresh_token))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 400]
        assert next(r for r in responses if r.status_code == 400).json["error"] == "invalid_grant"


def test_racing_uses_of_one_client_assertion_have_one_winner(
    app, client, sign_in, user, jwt_client, rp_key
):
    signed = assertion(rp_key, "pkjwt-portal")
    codes = [pkjwt_code(client, sign_in) for _ in range(2)]
    requests = iter({**code_request(code), **jwt_auth(signed)} for code in codes)
    lock = threading.Lock()

    def use(c):
        with lock:
            data = next(requests)
        return c.post("/token", data=data)

    responses = _race(app, use)
    assert sorted(r.status_code for r in responses)[0] == 200
    loser = max(responses, key=lambda r: r.status_code)
    assert loser.status_code in (400, 401) and loser.json["error"] == "invalid_client"


def race_first_consents(app, user_id: int) -> list[str]:
    """Two requests record a user's first consent to one portal at once (each its own
    unit of work); the grant's scopes afterwards."""
    from idp.lifecycle.consent import record_consent
    from idp.policy.consent import Sharing
    from idp.store import db
    from idp.store.models import ConsentGrant, User
    from idp.store.units import finish_unit

    barrier = threading.Barrier(2)
    errors = []

    def consent(scope: str) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                barrier.wait()
                record_consent(user, "racing-portal", Sharing.of([scope]), None)
                finish_unit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=consent, args=(s,)) for s in ("email", "phone")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    grants = db.session.query(ConsentGrant).filter_by(client_id="racing-portal").all()
    assert len(grants) == 1
    return grants[0].scopes


def test_racing_first_consents_merge_into_one_grant(app, user):
    assert race_first_consents(app, user.id) == ["email", "phone"]
