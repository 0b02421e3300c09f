"""response_mode=form_post (OAuth 2.0 Form Post Response Mode) beside the default query."""

from __future__ import annotations

import html
import re

from tests.helpers import authorize_url, query_of
from tests.oidc.portal import CLAIMS_ONLINE, exchange

ISSUER = "http://localhost:8765"


def _hidden_fields(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


def _form_action(page: str) -> str:
    return html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))


def test_form_post_answers_with_a_form_to_the_redirect_uri(client, sign_in, user):
    sign_in("dana.provider")
    response = client.get(authorize_url(response_mode="form_post", state="s-1", nonce="n"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert _form_action(page) == CLAIMS_ONLINE[2]
    fields = _hidden_fields(page)
    assert set(fields) == {"code", "state", "iss"}
    assert fields["state"] == "s-1" and fields["iss"] == ISSUER
    assert 'src="/static/form-post.js"' in page
    assert exchange(client, fields["code"]).status_code == 200


def test_form_post_after_signing_in_answers_with_a_form(client, sign_in, user):
    response = client.get(authorize_url(response_mode="form_post", state="s-2"))
    assert "/signin" in response.headers["Location"]
    done = sign_in("dana.provider")
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert _hidden_fields(page)["state"] == "s-2"


def test_form_post_error_goes_back_in_a_form(client, user):
    response = client.get(authorize_url(response_mode="form_post", prompt="none", state="s-3"))
    fields = _hidden_fields(response.get_data(as_text=True))
    assert response.status_code == 200
    assert fields == {"error": "login_required", "state": "s-3", "iss": ISSUER}


def test_form_post_to_an_unregistered_redirect_uri_is_an_error_page_without_a_form(client, user):
    response = client.get(
        authorize_url(redirect_uri="http://localhost:5001/elsewhere", response_mode="form_post")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "sign you in to this site" in page
    assert "The &#39;redirect_uri&#39; is not registered for this client." in page
    assert 'action="http://localhost:5001/elsewhere"' not in page


def test_unsupported_response_mode_is_invalid_request_by_query(client, user):
    response = client.get(authorize_url(response_mode="fragment", state="s-4"))
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request" and query["state"] == "s-4"
    assert "response_mode" in query["error_description"]


def test_discovery_lists_form_post(client):
    modes = client.get("/.well-known/openid-configuration").json["response_modes_supported"]
    assert modes == ["query", "form_post"]
