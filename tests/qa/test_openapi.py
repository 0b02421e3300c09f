"""The /_qa OpenAPI document matches the routes, and the API survives generated input."""

from __future__ import annotations

import itertools
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from idp.qa.openapi import openapi_document

# HTML pages for people, not part of the JSON API contract.
UNDOCUMENTED = {"/_qa/inbox", "/_qa/inbox/answer"}


def _app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/_qa/") or rule.rule in UNDOCUMENTED:
            continue
        # The inbox and the debugger are pages for people.
        if rule.endpoint.startswith(("qa.inbox", "qa.debugger")) or "_form" in rule.endpoint:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


def test_every_qa_route_is_documented_and_every_documented_route_exists(app):
    documented = {
        (path, method) for path, ops in openapi_document()["paths"].items() for method in ops
    }
    assert _app_routes(app) == documented


def test_openapi_json_is_served(client):
    document = client.get("/_qa/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert "/_qa/users/{username}" in document["paths"]


def test_qa_api_never_fails_on_generated_input(app):
    schema = schemathesis.openapi.from_wsgi("/_qa/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    exercised = set()
    for result, mode in itertools.product(schema.get_all_operations(), list(GenerationMode)):
        operation = result.ok()

        # Positive (schema-valid) and negative (schema-breaking) input alike: never a 5xx.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(checks=checks)

        try:
            run()
        except Unsatisfiable:
            # An operation without parameters or body has no input to break.
            assert mode is GenerationMode.NEGATIVE
            continue
        exercised.add((operation.path, operation.method.lower()))
    documented = {
        (path, method) for path, ops in openapi_document()["paths"].items() for method in ops
    }
    # Schemathesis leaves out the document's own path.
    assert documented - exercised == {("/_qa/openapi.json", "get")}


def test_the_document_states_what_the_api_accepts_and_answers(app):
    from idp.qa.factors import FACTORS

    with app.app_context():
        document = openapi_document()
    users = document["paths"]["/_qa/users"]["post"]["requestBody"]["content"]
    create = users["application/json"]["schema"]
    assert set(FACTORS) | {"send_activation", "totp"} <= set(create["properties"])
    assert all(create["properties"][name]["minLength"] == 1 for name in create["required"])
    patch = document["paths"]["/_qa/users/{username}"]["patch"]["requestBody"]["content"]
    assert set(FACTORS) <= set(patch["application/json"]["schema"]["properties"])
    assert {"qaToken": []} in document["security"]
    for operations in document["paths"].values():
        for operation in operations.values():
            assert {"401", "403"} <= set(operation["responses"])
    clock = document["paths"]["/_qa/clock"]["post"]["requestBody"]["content"]
    assert clock["application/json"]["schema"]["oneOf"] == [
        {"required": ["advance"]},
        {"required": ["set"]},
    ]


def test_the_documented_examples_are_accepted(client):
    document = client.get("/_qa/openapi.json").json
    create = document["paths"]["/_qa/users"]["post"]["requestBody"]["content"]
    for example in create["application/json"]["schema"]["examples"]:
        assert client.post("/_qa/users", json=example).status_code == 201
    patch = document["paths"]["/_qa/users/{username}"]["patch"]["requestBody"]["content"]
    for example in patch["application/json"]["schema"]["examples"]:
        assert client.patch("/_qa/users/jane.doe1", json=example).status_code == 200


def test_a_body_over_the_limit_is_the_documented_413(app, client):
    with app.app_context():
        document = openapi_document()
    assert "413" in document["paths"]["/_qa/users"]["post"]["responses"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/_qa/users", json={"username": "x" * limit})
    assert response.status_code == 413 and response.json["error"] == "request_too_large"


def _request_bodies(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield path, method, content["application/json"]["schema"]


def _json_types(schema: dict) -> set[str]:
    kinds = schema.get("type", [])
    types = {kinds} if isinstance(kinds, str) else set(kinds)
    types |= {"null" for value in schema.get("enum", []) if value is None}
    for member in schema.get("anyOf", []) + schema.get("oneOf", []):
        types |= _json_types(member)
    return types


def _existing(client, path: str) -> str:
    """``path`` with its parameters naming a user and a client that exist."""
    client.post(
        "/_qa/users",
        json={"username": "jane.doe1", "email": "jane@example.com", "password": "Password1"},
    )
    client_id = client.get("/_qa/clients").json[0]["client_id"]
    return path.replace("{username}", "jane.doe1").replace("{client_id}", client_id)


def test_every_documented_body_refuses_a_field_it_does_not_name(client):
    document = client.get("/_qa/openapi.json").json
    checked = 0
    for path, method, schema in _request_bodies(document):
        assert schema["additionalProperties"] is False, (method, path)
        response = client.open(_existing(client, path), method=method, json={"zz_extra": 1})
        assert response.status_code == 400, (method, path, response.json)
        assert response.json["detail"] == "Unknown field(s): zz_extra.", (method, path)
        checked += 1
    assert checked == 9


def _required_fields(schema: dict) -> dict:
    """A value of the documented type for each required field."""
    values = {"string": "x", "array": ["x"], "boolean": True, "integer": 1}
    body = {}
    for name in schema.get("required", []):
        field = schema["properties"][name]
        enum = field.get("enum")
        body[name] = enum[0] if enum else values[sorted(_json_types(field))[0]]
    return body


def test_null_is_refused_wherever_the_document_does_not_allow_it(client):
    document = client.get("/_qa/openapi.json").json
    refused = 0
    for path, method, schema in _request_bodies(document):
        for name, field in schema["properties"].items():
            if "null" in _json_types(field):
                continue
            body = {**_required_fields(schema), name: None}
            response = client.open(_existing(client, path), method=method, json=body)
            assert response.status_code == 400, (method, path, name, response.json)
            assert name in response.json["detail"], (method, path, name, response.json)
            refused += 1
    assert refused > 20


def test_a_user_field_documented_as_nullable_takes_null(client):
    document = client.get("/_qa/openapi.json").json
    patch = document["paths"]["/_qa/users/{username}"]["patch"]["requestBody"]
    fields = patch["content"]["application/json"]["schema"]["properties"]
    nullable = [name for name, field in fields.items() if "null" in _json_types(field)]
    assert {"first_name", "phone", "claims", "totp"} <= set(nullable)
    url = _existing(client, "/_qa/users/{username}")
    for name in nullable:
        response = client.patch(url, json={name: None})
        assert response.status_code == 200, (name, response.json)


def test_null_for_a_token_option_names_the_field(client):
    response = client.post("/_qa/tokens", json={"client_id": "x", "username": "y", "scope": None})
    assert response.status_code == 400
    assert response.json["detail"] == "Must not be null: scope."


def test_an_empty_outbox_channel_is_the_documented_400(client):
    response = client.get("/_qa/outbox?channel=")
    assert response.status_code == 400
    assert response.json["detail"] == "'channel' must be one of email, sms, voice."
