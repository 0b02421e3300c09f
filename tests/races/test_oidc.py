"""Two requests racing for one authorization code or one refresh token: exactly one wins."""

from __future__ import annotations

import threading

import pytest

from tests.oidc.portal import exchange, get_code
from tests.oidc.test_tokens import offline_tokens, refresh


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
