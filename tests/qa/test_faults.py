"""Failures on demand: /_qa/faults makes the next requests at an endpoint fail or wait."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from idp.testing import QAClient
from tests.cli.test_serve import served  # noqa: F401 - the fixture
from tests.oidc.portal import basic_auth

COP = ("optum-connect-claims-online", "claims-online-demo-secret")
PRO = ("optum-pro", "optum-pro-demo-secret")


def add(client, **body):
    return client.post("/_qa/faults", json=body)


def refresh_attempt(client, auth=COP):
    # An unknown refresh token: 400 invalid_grant when no fault is in the way.
    return client.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": "not-a-token"},
        headers=basic_auth(*auth),
    )


def test_error_fault_answers_the_next_requests_then_runs_out(client):
    created = add(client, endpoint="token", kind="error", status=503, count=2)
    assert created.status_code == 201
    assert created.json["error"] == "temporarily_unavailable" and created.json["remaining"] == 2
    for _ in range(2):
        response = refresh_attempt(client)
        assert response.status_code == 503
        assert response.json["error"] == "temporarily_unavailable"
        assert response.headers["Retry-After"] == "1"
    assert refresh_attempt(client).status_code == 400
    assert client.get("/_qa/faults").json == []


def test_fault_on_discovery_and_jwks(client):
    add(client, endpoint="jwks", kind="error", status=500, error="server_error")
    assert client.get("/.well-known/jwks.json").status_code == 500
    assert client.get("/.well-known/jwks.json").status_code == 200
    add(client, endpoint="discovery", kind="error", status=404, error="not_found")
    assert client.get("/.well-known/openid-configuration").json["error"] == "not_found"


def test_fault_targets_only_its_client(client):
    add(client, endpoint="token", kind="error", status=503, client_id=PRO[0])
    assert refresh_attempt(client, COP).status_code == 400
    data = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": PRO[0]}
    data["client_secret"] = PRO[1]
    assert client.post("/token", data=data).status_code == 503
    assert client.post("/token", data=data).status_code == 400


def test_userinfo_fault_matches_the_client_of_the_bearer_token(client, user):
    token = client.post("/_qa/tokens", json={"client_id": PRO[0], "username": user.username}).json[
        "access_token"
    ]
    add(client, endpoint="userinfo", kind="error", status=503, client_id=COP[0])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/userinfo", headers=headers).status_code == 200
    add(client, endpoint="userinfo", kind="error", status=503, client_id=PRO[0])
    assert client.get("/userinfo", headers=headers).status_code == 503


def test_delay_fault_slows_the_request_and_is_audited(client):
    add(client, endpoint="discovery", kind="delay", delay_ms=300)
    response = client.get("/.well-known/openid-configuration")
    assert response.status_code == 200
    events = client.get("/_qa/events", query_string={"kind": "fault_injected"}).json
    assert len(events) == 1
    assert events[0]["detail"]["fault_kind"] == "delay" and events[0]["detail"]["delay_ms"] == 300


def test_every_injected_fault_is_an_audit_event(client):
    add(client, endpoint="jwks", kind="error", status=503, count=3)
    for _ in range(4):
        client.get("/.well-known/jwks.json")
    events = client.get("/_qa/events", query_string={"kind": "fault_injected"}).json
    assert len(events) == 3 and {e["detail"]["endpoint"] for e in events} == {"jwks"}


def test_delete_clears_every_fault(client):
    add(client, endpoint="token", kind="error", count=5)
    add(client, endpoint="jwks", kind="error")
    assert len(client.get("/_qa/faults").json) == 2
    assert client.delete("/_qa/faults").json == {"cleared": 2}
    assert client.get("/_qa/faults").json == []
    assert client.get("/.well-known/jwks.json").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"kind": "error"}, 400, "endpoint: missing; use one of token, userinfo, jwks"),
        ({"endpoint": "token", "status": 200}, 400, "status: an error fault answers with a 4xx"),
        ({"endpoint": "login", "kind": "error"}, 400, "endpoint: use one of"),
        ({"endpoint": "token", "kind": "crash"}, 400, "kind: use 'error' or 'delay'."),
        ({"endpoint": "token", "kind": "error", "status": 200}, 400, "status: an error fault"),
        ({"endpoint": "token", "kind": "error", "error": "Bad Thing"}, 400, "error: an OAuth"),
        ({"endpoint": "token", "kind": "error", "count": 0}, 400, "count: give a number"),
        ({"endpoint": "token", "kind": "delay"}, 400, "delay_ms: a delay fault needs"),
        ({"endpoint": "token", "kind": "delay", "delay_ms": 60000}, 400, "delay_ms: a delay"),
        ({"endpoint": "token", "kind": "delay", "delay_ms": 5, "status": 503}, 400, "status: only"),
        ({"endpoint": "token", "kind": "error", "delay_ms": 5}, 400, "delay_ms: only a 'delay'"),
        ({"endpoint": "token", "kind": "error", "count": "2"}, 400, "'count' must be a whole"),
        ({"endpoint": "token", "kind": "error", "client_id": "nobody"}, 404, "client_id: no "),
        ({"endpoint": "token", "kind": "error", "when": "now"}, 400, "Unknown field(s): when."),
    ],
)
def test_bad_faults_get_a_json_error_naming_the_field(client, body, status, detail):
    response = add(client, **body)
    assert response.status_code == status
    assert response.json["detail"].startswith(detail), response.json
    assert client.get("/_qa/faults").json == []


def wait_until_up(url: str, process, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}"
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_racing_requests_hit_a_fault_exactly_count_times(served):  # noqa: F811
    """Under gunicorn with two workers, a fault of count 3 hits exactly 3 of 12 requests."""
    process, port = served("--workers", "2", MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast")
    base = f"http://127.0.0.1:{port}"
    wait_until_up(f"{base}/healthz", process)
    qa = QAClient(base)
    qa.add_fault("jwks", status=503, count=3)
    barrier = threading.Barrier(12)
    statuses = []

    def hit():
        barrier.wait()
        statuses.append(requests.get(f"{base}/.well-known/jwks.json", timeout=20).status_code)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 9 + [503] * 3
    assert len(qa.events(kind="fault_injected")) == 3
    assert qa.faults() == []


def test_a_fault_without_a_kind_is_an_error_fault(client):
    response = add(client, endpoint="token")
    assert response.status_code == 201
    assert response.json["kind"] == "error" and response.json["status"] == 503
