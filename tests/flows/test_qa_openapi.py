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
