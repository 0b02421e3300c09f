"""/_qa against a hostile web page: only loopback (or configured) Host names,
no foreign Origin, changes as JSON only; and every 405 names its Allow."""

from __future__ import annotations

import re

import pytest
import requests

from idp.settings import SettingsError, load_settings
from idp.store.models import User
from tests.helpers import csrf_token

FOREIGN_HOSTS = ["evil.example:8765", "evil.example", "localhost.evil.example", "127.0.0.2.nip.io"]
JSON_USER = {"username": "guard.tester", "email": "guard@example.com", "password": "Password1"}


def _sample_path(rule: str) -> str:
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule)


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_name_gets_a_403_everywhere_under_qa(app, client, host):
    """DNS rebinding: a page whose own name now resolves to 127.0.0.1 is refused."""
    paths = sorted(
        {_sample_path(r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/_qa")}
    )
    assert "/_qa/outbox" in paths and "/_qa/inbox" in paths and "/_qa/debugger" in paths
    for path in paths:
        rule_methods = {
            m for r in app.url_map.iter_rules() if _sample_path(r.rule) == path for m in r.methods
        }
        method = "GET" if "GET" in rule_methods else sorted(rule_methods - {"OPTIONS", "HEAD"})[0]
        response = client.open(path, method=method, headers={"Host": host}, json={})
        assert response.status_code == 403, (path, method, response.status_code)
        assert response.json["error"] == "forbidden"
        assert "qa.allowed_hosts" in response.json["detail"]


def test_a_foreign_host_cannot_create_users_or_read_codes(client, db):
    response = client.post("/_qa/users", json=JSON_USER, headers={"Host": "evil.example:8765"})
    assert response.status_code == 403
    assert db.session.query(User).filter_by(username="guard.tester").count() == 0
    outbox = client.get("/_qa/outbox", headers={"Host": "evil.example:8765"})
    assert outbox.status_code == 403 and "items" not in outbox.get_data(as_text=True)


@pytest.mark.parametrize(
    "host", ["localhost:8765", "LOCALHOST", "127.0.0.1:8765", "[::1]:8765", "localhost."]
)
def test_loopback_host_names_are_answered(client, host):
    assert client.get("/_qa/clock", headers={"Host": host}).status_code == 200


class TestIssuerAndConfiguredHosts:
    @pytest.fixture
    def app_overrides(self):
        return {"server.issuer": "http://idp.test:8765", "qa.allowed_hosts": ["mock-ohid"]}

    @pytest.mark.parametrize("host", ["idp.test:8765", "mock-ohid:8765", "Mock-OHID"])
    def test_the_issuer_host_and_qa_allowed_hosts_are_answered(self, client, host):
        assert client.get("/_qa/clock", headers={"Host": host}).status_code == 200

    def test_other_names_are_still_refused(self, client):
        assert client.get("/_qa/clock", headers={"Host": "portal:5001"}).status_code == 403


def test_allowed_host_lists_come_from_the_environment_as_comma_separated_lists():
    settings = load_settings(
        environ={
            "MOCK_OHID_QA_ALLOWED_HOSTS": "mock-ohid, qa-box",
            "MOCK_OHID_SECURITY_ALLOWED_FETCH_HOSTS": "portal,172.18.0.0/16",
        }
    )
    assert settings.qa.allowed_hosts == ("mock-ohid", "qa-box")
    assert {"mock-ohid", "qa-box", "localhost"} <= settings.qa_hosts
    assert settings.fetch_rule.allows("portal", "172.20.0.3")
    assert settings.fetch_rule.allows("other", "172.18.4.5")
    assert not settings.fetch_rule.allows("other", "172.19.4.5")


def test_a_bad_allowed_fetch_host_stops_start_up_naming_the_setting():
    with pytest.raises(SettingsError, match="security.allowed_fetch_hosts: 'not a host!'"):
        load_settings(environ={"MOCK_OHID_SECURITY_ALLOWED_FETCH_HOSTS": "not a host!"})


def test_cross_site_form_post_cannot_reset_the_database(client, db):
    """The issue's reproducer: a plain HTML form on another site posting to /_qa/reset."""
    client.post("/_qa/users", json=JSON_USER)
    response = client.post(
        "/_qa/reset",
        data={"x": "1"},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403
    assert response.json == {
        "error": "forbidden",
        "detail": "/_qa does not answer requests from another web page "
        "(Origin 'http://evil.example').",
    }
    # Without an Origin (an old browser, a privacy extension) the form type alone is refused.
    response = client.post("/_qa/reset", data={"x": "1"})
    assert response.status_code == 415
    assert response.json["error"] == "unsupported_media_type"
    assert "Content-Type: application/json" in response.json["detail"]
    assert db.session.query(User).filter_by(username="guard.tester").count() == 1


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", ""])
def test_changes_without_a_json_type_are_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/_qa/clock", data='{"advance": "1d"}', headers=headers)
    assert response.status_code == 415
    assert client.get("/_qa/clock").json["moved"] is False


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:9999"])
def test_json_from_a_foreign_origin_is_403(client, origin):
    response = client.post("/_qa/clock", json={"advance": "1d"}, headers={"Origin": origin})
    assert response.status_code == 403 and response.json["error"] == "forbidden"
    assert client.get("/_qa/clock").json["moved"] is False


def test_same_origin_json_and_an_empty_object_are_fine(client):
    same = {"Origin": "http://localhost"}
    assert client.post("/_qa/clock", json={"advance": "1d"}, headers=same).status_code == 200
    assert client.post("/_qa/reset", json={}).json["reset"] is True


def test_delete_needs_no_body_but_not_a_form(client):
    assert client.delete("/_qa/faults").status_code == 200
    form = client.delete("/_qa/faults", data={"x": "1"})
    assert form.status_code == 415


def test_qa_grants_no_cors_preflight(client):
    response = client.options(
        "/_qa/reset",
        headers={
            "Origin": "http://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Headers" not in response.headers


class TestHtmlPages:
    def test_pages_send_same_origin_referrers_so_their_forms_carry_an_origin(self, client):
        for path in ("/_qa/inbox", "/_qa/debugger"):
            assert client.get(path).headers["Referrer-Policy"] == "same-origin"

    def test_inbox_answer_from_another_site_is_403(self, client):
        page = client.get("/_qa/debugger").get_data(as_text=True)
        response = client.post(
            "/_qa/inbox/answer",
            data={"csrf_token": csrf_token(page), "message_id": "1", "digits": "1"},
            headers={"Origin": "http://evil.example"},
        )
        assert response.status_code == 403

    def test_same_origin_form_post_still_works(self, client):
        page = client.get("/_qa/debugger").get_data(as_text=True)
        response = client.post(
            "/_qa/inbox/answer",
            data={"csrf_token": csrf_token(page), "message_id": "1", "digits": "1"},
            headers={"Origin": "http://localhost"},
        )
        assert response.status_code == 303
        assert "That call is not in the outbox." in client.get("/_qa/inbox").get_data(as_text=True)

    def test_debugger_start_from_another_site_is_403(self, client):
        page = client.get("/_qa/debugger").get_data(as_text=True)
        response = client.post(
            "/_qa/debugger",
            data={"csrf_token": csrf_token(page), "client_id": "__throwaway__"},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403


def test_the_issues_curl_reproducers_are_refused_over_http(live_server):
    base = live_server.url
    rebound = requests.get(f"{base}/_qa/outbox", headers={"Host": "evil.example:8765"}, timeout=10)
    assert rebound.status_code == 403
    reset = requests.post(
        f"{base}/_qa/reset",
        headers={"Origin": "http://evil.example"},
        data={"x": "1"},
        timeout=10,
    )
    assert reset.status_code == 403


def test_every_405_carries_an_allow_header(app, client):
    """Across the whole URL map, the /_qa routes included."""
    by_path: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        by_path.setdefault(_sample_path(rule.rule), set()).update(rule.methods)
    seen = 0
    for path, methods in sorted(by_path.items()):
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods):
            response = client.open(path, method=method)
            assert response.status_code == 405, (path, method, response.status_code)
            allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert allowed == methods, (path, method, response.headers.get("Allow"))
            seen += 1
    assert seen > 100
