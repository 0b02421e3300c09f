"""The table of second-factor methods: every page and the QA API read it."""

from __future__ import annotations

from idp.lifecycle.accounts import find_by_username
from idp.lifecycle.recovery_codes import issue_recovery_code
from idp.lifecycle.second_factors import (
    METHODS,
    available_methods,
    describe_methods,
    description_schema,
)


def test_every_method_has_a_verify_partial_and_its_manage_partial(app):
    for method in METHODS:
        app.jinja_env.get_template(method.partial)
        if method.manage_partial is not None:
            app.jinja_env.get_template(method.manage_partial)


def test_method_names_are_unique(app):
    names = [method.name for method in METHODS]
    assert len(names) == len(set(names))


def test_recovery_code_is_offered_only_beside_a_strong_method(client, user_factory, db):
    user = user_factory()
    issue_recovery_code(user)
    db.session.commit()
    assert [m.name for m in available_methods(user)] == ["email"]
    client.post(
        "/_qa/users",
        json={
            "username": "qa.both",
            "email": "b@example.com",
            "password": "Password1",
            "email_verified": True,
            "totp": True,
        },
    )
    both = find_by_username("qa.both")
    assert [m.name for m in available_methods(both)] == ["authenticator", "email", "recovery"]


def test_qa_description_matches_its_documented_fields(user_factory):
    user = user_factory()
    assert set(describe_methods(user)) == set(description_schema())


def test_openapi_documents_each_method_state(client):
    mfa = client.get("/_qa/openapi.json").json["components"]["schemas"]["User"]["properties"]
    assert set(mfa["mfa"]["properties"]) == {*description_schema(), "remembered_devices"}


def test_method_names_are_one_list_in_the_qa_api_page_and_openapi(client):
    import re
    from pathlib import Path

    from idp.lifecycle.second_factors import METHOD_NAMES

    page = (Path(__file__).resolve().parents[2] / "docs" / "qa" / "api.md").read_text()
    listed = re.search(r"\*\*Second-factor method names\*\*[^:]*:([^.]*)\.", page).group(1)
    assert tuple(re.findall(r"`(\w+)`", listed)) == METHOD_NAMES
    document = client.get("/_qa/openapi.json").json
    assert document["components"]["schemas"]["SecondFactorMethod"]["enum"] == list(METHOD_NAMES)
