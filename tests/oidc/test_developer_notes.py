"""Pages a misconfigured portal lands on tell its developer what came and what is
registered, HTML-escaped, and never redirect where they must not."""

from __future__ import annotations

from tests.helpers import authorize_url
from tests.oidc.portal import CLAIMS_ONLINE, exchange, get_code

LOGOUT_REGISTERED = "http://localhost:5001/"


def test_unregistered_post_logout_redirect_uri_names_what_came_and_what_is_registered(
    client, sign_in, user
):
    body = exchange(client, get_code(client, sign_in)["code"]).json
    # express-openid-connect sends its base URL without the trailing slash.
    response = client.get(
        "/end_session",
        query_string={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": "http://localhost:5001",
        },
    )
    assert response.status_code == 200 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "You have signed out" in page and "For the portal's developer" in page
    assert "<code data-sent-uri>http://localhost:5001</code>" in page
    assert f"<li><code>{LOGOUT_REGISTERED}</code></li>" in page
    assert "only by a trailing slash" in page


def test_the_note_escapes_what_came(client, sign_in, user):
    body = exchange(client, get_code(client, sign_in)["code"]).json
    response = client.get(
        "/end_session",
        query_string={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": 'http://x.example/"><script>alert(1)</script>',
        },
    )
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_a_logout_that_names_no_client_says_the_uri_cannot_be_checked(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(
        "/end_session", query_string={"post_logout_redirect_uri": LOGOUT_REGISTERED}
    )
    page = response.get_data(as_text=True)
    assert "Sign out of One Healthcare ID?" in page
    assert "names no registered client" in page


def test_a_registered_uri_gets_no_note_and_redirects(client, sign_in, user):
    body = exchange(client, get_code(client, sign_in)["code"]).json
    response = client.get(
        "/end_session",
        query_string={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": LOGOUT_REGISTERED,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == LOGOUT_REGISTERED


def test_unknown_client_page_names_the_client_id_escaped(client):
    response = client.get(authorize_url("no-such-<b>portal", CLAIMS_ONLINE[2]))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<code data-sent-client-id>no-such-&lt;b&gt;portal</code>" in page
    assert "mock-ohid clients list" in page


def test_redirect_uri_mismatch_page_lists_the_registered_uris(client):
    response = client.get(authorize_url(CLAIMS_ONLINE[0], "http://127.0.0.1:5001/callback"))
    assert response.status_code == 400 and "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "<code data-sent-uri>http://127.0.0.1:5001/callback</code>" in page
    assert "<li><code>http://localhost:5001/callback</code></li>" in page
    assert "only by the loopback host name" in page


def test_unsupported_response_type_page_says_only_code(client):
    response = client.get(
        authorize_url("no-such-portal", CLAIMS_ONLINE[2], response_type="id_token")
    )
    page = response.get_data(as_text=True)
    assert "unsupported_response_type" in page
    assert "Only <code>response_type=code</code> is supported" in page


def test_a_good_request_with_another_error_adds_no_note(client):
    response = client.get(
        "/authorize?response_type=code&client_id=optum-connect-physician-info&scope=openid"
    )
    assert response.status_code == 400
    assert "For the portal" not in response.get_data(as_text=True)


def test_odd_uris_get_a_page_never_a_500(client):
    for uri in ("http://[::1/cb", "http://localhost:99999/cb"):
        response = client.get(authorize_url(CLAIMS_ONLINE[0], uri))
        assert response.status_code == 400 and "Location" not in response.headers
        logout = client.get(
            "/end_session",
            query_string={"client_id": CLAIMS_ONLINE[0], "post_logout_redirect_uri": uri},
        )
        assert logout.status_code == 200 and "For the portal's developer" in logout.get_data(
            as_text=True
        )
