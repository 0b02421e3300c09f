"""A bound on every dynamic-registration field (RFC 7591 §2 lets the server
refuse): over it, the field is named with its limit and nothing is stored."""

from __future__ import annotations

import pytest

from idp.policy import client_metadata as limits
from idp.store.models import OAuth2Client

REDIRECT = "http://localhost:9000/cb"


def _register(client, **fields):
    return client.post("/register", json={"redirect_uris": [REDIRECT], **fields})


@pytest.mark.parametrize(
    ("fields", "error", "description"),
    [
        (
            {"client_name": "n" * 201},
            "invalid_client_metadata",
            "client_name is too long: at most 200 characters.",
        ),
        (
            {"redirect_uris": [REDIRECT + "/" + "p" * 2000]},
            "invalid_redirect_uri",
            "redirect_uris has an entry that is too long: at most 2000 characters.",
        ),
        (
            {"redirect_uris": [f"{REDIRECT}/{n}" for n in range(21)]},
            "invalid_redirect_uri",
            "redirect_uris has too many entries: at most 20.",
        ),
        (
            {"post_logout_redirect_uris": [f"{REDIRECT}/{n}" for n in range(21)]},
            "invalid_client_metadata",
            "post_logout_redirect_uris has too many entries: at most 20.",
        ),
        (
            {"backchannel_logout_uri": "http://localhost:9000/" + "b" * 2000},
            "invalid_client_metadata",
            "backchannel_logout_uri is too long: at most 2000 characters.",
        ),
        (
            {"logo_uri": "http://localhost:9000/" + "l" * 2000},
            "invalid_client_metadata",
            "logo_uri is too long: at most 2000 characters.",
        ),
        (
            {"contacts": [f"ops{n}@example.com" for n in range(11)]},
            "invalid_client_metadata",
            "contacts has too many entries: at most 10.",
        ),
        (
            {"contacts": ["o" * 250 + "@example.com"]},
            "invalid_client_metadata",
            "contacts has an entry that is too long: at most 254 characters.",
        ),
        (
            {"software_id": "s" * 201},
            "invalid_client_metadata",
            "software_id is too long: at most 200 characters.",
        ),
        (
            {"scope": "openid " * 200},
            "invalid_client_metadata",
            "scope is too long: at most 1000 characters.",
        ),
        (
            {"allowed_origins": [f"http://localhost:{3000 + n}" for n in range(21)]},
            "invalid_client_metadata",
            "allowed_origins has too many entries: at most 20.",
        ),
        (
            {"jwks": {"keys": [{"kty": "oct"}] * 11}},
            "invalid_client_metadata",
            "jwks has too many keys: at most 10.",
        ),
        (
            {"jwks": {"keys": [{"kty": "RSA", "n": "A" * 33_000, "e": "AQAB"}]}},
            "invalid_client_metadata",
            "jwks is too large: at most 32768 bytes.",
        ),
    ],
)
def test_registration_fields_over_their_bound_are_refused_by_name(
    client, db, fields, error, description
):
    response = _register(client, **fields)
    assert response.status_code == 400
    assert response.json == {"error": error, "error_description": description}
    assert db.session.query(OAuth2Client).filter_by(source="dynamic").count() == 0


def test_registration_fields_at_their_bound_are_accepted(client):
    response = _register(
        client,
        client_name="n" * limits.CLIENT_NAME_MAX_LENGTH,
        contacts=[f"ops{n}@example.com" for n in range(limits.CONTACTS_MAX_COUNT)],
        logo_uri="http://localhost:9000/" + "l" * (limits.URI_MAX_LENGTH - 22),
    )
    assert response.status_code == 201, response.json
    assert response.json["client_name"] == "n" * 200
