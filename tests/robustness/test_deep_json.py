"""JSON nested a thousand deep is malformed input: a 400, never a RecursionError."""

from __future__ import annotations

import base64
import json

import pytest

from tests.helpers import authorize_url, query_of

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
# Deep enough to fail our bound, shallow enough for Python's parser.
DEEP_INSIDE = json.dumps({"name": "x", "user": json.loads("[" * 40 + "]" * 40)})


@pytest.mark.parametrize(
    "body", [DEEP_ARRAY, DEEP_OBJECT, DEEP_INSIDE], ids=["array", "object", "inside"]
)
@pytest.mark.parametrize("path", ["/_qa/users", "/_qa/tokens", "/_qa/clock"])
def test_deep_json_to_the_qa_api_is_a_400_with_a_detail(client, path, body):
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid_request",
        "detail": "Send a JSON object with Content-Type: application/json.",
    }


@pytest.mark.parametrize(
    "body", [DEEP_ARRAY, DEEP_OBJECT, DEEP_INSIDE], ids=["array", "object", "inside"]
)
def test_deep_json_to_registration_is_invalid_client_metadata(client, body):
    response = client.post("/register", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid_client_metadata",
        "error_description": "Send the client metadata as a JSON object.",
    }


def test_deep_claims_parameter_is_ignored_like_any_malformed_one(client, user, sign_in):
    sign_in("dana.provider")
    response = client.get(authorize_url(claims=DEEP_ARRAY, state="c"))
    assert response.status_code == 302
    assert "code" in query_of(response.headers["Location"])


def _segment(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def test_client_assertion_with_a_deep_payload_is_invalid_client(client):
    assertion = ".".join([_segment('{"alg":"RS256"}'), _segment(DEEP_ARRAY), _segment("sig")])
    response = client.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": "x",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert response.status_code in (400, 401)
    assert response.json["error"] == "invalid_client"


def test_a_fetched_answer_nested_too_deep_is_not_json():
    from idp.fetch import FetchAnswer

    with pytest.raises(ValueError):
        FetchAnswer(status=200, body=DEEP_ARRAY.encode()).json()
    assert FetchAnswer(status=200, body=b'{"keys": []}').json() == {"keys": []}
