"""The refresh grace window (SPEC §4.1, RFC 9700 §4.14.2): a just-rotated refresh
token presented again is not theft; after ``tokens.refresh_grace_seconds`` it is,
also when the reuse races the rotation."""

from __future__ import annotations

import pytest

from idp.store.models import AuditEvent
from tests.oidc.portal import CLAIMS_ONLINE, basic_auth
from tests.oidc.test_tokens import bearer, offline_tokens, refresh
from tests.races.test_oidc import _race


def test_rotated_refresh_token_reused_within_the_window_gets_valid_tokens(client, sign_in, user):
    first = offline_tokens(client, sign_in)
    second = refresh(client, first["refresh_token"]).json
    again = refresh(client, first["refresh_token"])
    assert again.status_code == 200, again.json
    assert again.json["refresh_token"] not in (first["refresh_token"], second["refresh_token"])
    # The grant lives: both answers' tokens work.
    for body in (second, again.json):
        assert client.get("/userinfo", headers=bearer(body["access_token"])).status_code == 200
    assert refresh(client, second["refresh_token"]).status_code == 200


def test_reuse_one_second_before_the_window_closes_is_accepted(client, sign_in, user, clock):
    first = offline_tokens(client, sign_in)
    refresh(client, first["refresh_token"])
    clock.advance(seconds=29)
    assert refresh(client, first["refresh_token"]).status_code == 200


def test_reuse_after_the_window_revokes_the_grant(client, sign_in, user, clock, db):
    first = offline_tokens(client, sign_in)
    second = refresh(client, first["refresh_token"]).json
    clock.advance(seconds=31)
    replay = refresh(client, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json == {
        "error": "invalid_grant",
        "error_description": "The refresh token has already been used.",
    }
    assert client.get("/userinfo", headers=bearer(second["access_token"])).status_code == 401
    assert refresh(client, second["refresh_token"]).json["error"] == "invalid_grant"
    assert db.session.query(AuditEvent).filter_by(kind="refresh_token_reused").count() == 1


def test_revoked_refresh_token_is_refused_inside_the_window(client, sign_in, user):
    tokens = offline_tokens(client, sign_in)
    client.post(
        "/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic_auth(*CLAIMS_ONLINE[:2]),
    )
    assert refresh(client, tokens["refresh_token"]).json["error"] == "invalid_grant"


def test_five_racing_refreshes_inside_the_window_all_succeed(app, client, sign_in, user):
    refresh_token = offline_tokens(client, sign_in)["refresh_token"]
    responses = _race(app, lambda c: refresh(c, refresh_token), count=5)
    assert [r.status_code for r in responses] == [200] * 5
    for response in responses:
        token = response.json["access_token"]
        assert client.get("/userinfo", headers=bearer(token)).status_code == 200


class TestWithoutGraceWindow:
    @pytest.fixture
    def app_overrides(self):
        return {"tokens.refresh_grace_seconds": 0}

    @pytest.mark.parametrize("round_", range(3))
    def test_reuse_racing_the_rotation_always_revokes_the_grant(
        self, app, client, sign_in, user, round_
    ):
        refresh_token = offline_tokens(client, sign_in)["refresh_token"]
        responses = _race(app, lambda c: refresh(c, refresh_token))
        assert sorted(r.status_code for r in responses) == [200, 400], [r.json for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        # Whichever request won, the loser's reuse took the winner's tokens down too.
        assert (
            client.get("/userinfo", headers=bearer(winner.json["access_token"])).status_code == 401
        )
        assert refresh(client, winner.json["refresh_token"]).json["error"] == "invalid_grant"
