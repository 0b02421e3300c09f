"""Odd characters in protocol parameters get their 4xx, and error answers carry
no caller text: RFC 6749 §4.1.2.1 allows only %x20-21 / %x23-5B / %x5D-7E in
error_description, and RFC 9700 warns against reflecting it."""

from __future__ import annotations

import pytest
from authlib.oauth2.base import invalid_error_characters

from tests.helpers import authorize_url, query_of

REDIRECT = "http://localhost:5001/callback"
ODD = ["\\", '"', "\t", "\x00", "\x7f", "é", "\n", "\u202e"]
IDS = ["backslash", "quote", "tab", "nul", "del", "e-acute", "newline", "rlo"]


@pytest.mark.parametrize("odd", ODD, ids=IDS)
def test_odd_character_in_redirect_uri_is_an_error_page_naming_the_parameter(client, odd):
    response = client.get(authorize_url(redirect_uri=REDIRECT + odd, state="s"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "invalid_request" in page
    assert "The &#39;redirect_uri&#39; is not registered for this client." in page


@pytest.mark.parametrize("odd", ODD, ids=IDS)
def test_odd_response_mode_goes_back_to_the_portal_named_not_echoed(client, odd):
    response = client.get(authorize_url(response_mode="query" + odd, state="s"))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["error"] == "invalid_request" and query["state"] == "s"
    assert query["error_description"] == "Unsupported 'response_mode': use query or form_post."
    assert not invalid_error_characters(query["error_description"])


@pytest.mark.parametrize("odd", ODD, ids=IDS)
def test_odd_response_mode_by_form_post_is_still_answered(client, user, sign_in, odd):
    sign_in("dana.provider")
    response = client.post(
        "/authorize",
        data={
            "response_type": "code",
            "client_id": "optum-connect-claims-online",
            "redirect_uri": REDIRECT,
            "scope": "openid",
            "response_mode": odd,
        },
    )
    assert response.status_code == 302
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize(
    "field", ["backchannel_logout_uri", "jwks_uri", "client_uri", "sector_identifier_uri"]
)
@pytest.mark.parametrize("odd", ODD, ids=IDS)
def test_odd_character_in_a_registered_uri_is_invalid_client_metadata(client, field, odd):
    body = {"redirect_uris": [REDIRECT], field: "http://localhost:9000/x" + odd}
    response = client.post("/register", json=body)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_client_metadata"
    description = response.json["error_description"]
    assert description.startswith(f"{field} must be a URI")
    assert not invalid_error_characters(description)


@pytest.mark.parametrize("field", ["redirect_uris", "post_logout_redirect_uris"])
@pytest.mark.parametrize("odd", ODD, ids=IDS)
def test_odd_character_in_a_registered_uri_list_is_refused_by_name(client, field, odd):
    body = {"redirect_uris": [REDIRECT], field: [REDIRECT + odd]}
    response = client.post("/register", json=body)
    assert response.status_code == 400
    expected = "invalid_redirect_uri" if field == "redirect_uris" else "invalid_client_metadata"
    assert response.json["error"] == expected
    assert response.json["error_description"].startswith(f"{field} must be a URI")


def test_a_refused_value_is_not_echoed_in_the_registration_error(client):
    response = client.post(
        "/register",
        json={"redirect_uris": [REDIRECT], "backchannel_logout_uri": "ftp://evil.example/x"},
    )
    assert response.status_code == 400
    description = response.json["error_description"]
    assert "backchannel_logout_uri" in description and "evil" not in description


def test_a_clients_file_uri_with_a_newline_is_refused(tmp_path):
    from idp.oidc.clients import ClientConfigError, validate_registration

    with pytest.raises(ClientConfigError, match="redirect_uris: not an absolute http"):
        validate_registration(
            {
                "client_id": "portal",
                "client_secret": "s" * 20,
                "redirect_uris": [REDIRECT + "\n"],
            }
        )
