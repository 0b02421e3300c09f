"""Hypothesis-generated parameters sent to every route of the URL map: never a 5xx.

Each route is tried as GET query, form post (with and without a valid CSRF
token), JSON body and JSON nested far too deep, both signed out and signed in.
Values come from a list of tricky ones, random text, and hostile text (quotes,
backslash, control, bidi and zero-width characters, long values; see
``fuzz_values``). Seeded (derandomized) and bounded, so a CI run is repeatable
and short. ``test_fuzz_protocol`` aims the same values at registered clients.
"""

from __future__ import annotations

import base64
import os
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_test_app
from tests.factories import UserFactory
from tests.helpers import DEFAULT_PASSWORD, csrf_token
from tests.robustness.fuzz_values import deep_json_text, hostile_text

# Parameter names the routes read: OIDC, the HTML forms and the QA API.
NAMES = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
    "id_token_hint",
    "login_hint",
    "claims",
    "acr_values",
    "response_mode",
    "grant_type",
    "code",
    "code_verifier",
    "refresh_token",
    "token",
    "token_type_hint",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "access_token",
    "post_logout_redirect_uri",
    "logout_hint",
    "identifier",
    "password",
    "remember",
    "method",
    "answer",
    "answers-0",
    "question",
    "new_password",
    "confirm_password",
    "current_password",
    "username",
    "email",
    "first_name",
    "last_name",
    "year_of_birth",
    "phone",
    "country_code",
    "digits",
    "message_id",
    "credential",
    "name",
    "action",
    "choice",
    "to",
    "channel",
    "since",
    "kind",
    "user",
    "advance",
    "set",
    "limit",
    "password_age_days",
    "locked",
    "deactivated",
    "email_verified",
    "phone_verified",
    "notifications",
]
TRICKY = [
    "",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "%",
    "\x00",
    "é",
    "\ud7ff",
    "null",
    "[]",
    "{}",
    "openid",
    "code",
    "S256",
    "none login consent",
    "demo.provider",
    "fuzz.user",
    "http://localhost:5001/callback",
    "optum-connect-claims-online",
    "2199-12-31T23:59:59Z",
    "9999999d",
    "a" * 2000,
    "\\",
    '"',
    "\t",
    "\n",
    "\x7f",
    "\u202e",
    "\u200b",
    "http://localhost:5001/callback\\",
    'http://localhost:5001/callback"',
]
SKIPPED = {
    # Empties every table: covered by its own load test, and it would wipe the fixtures.
    "qa.reset",
    "static",
}

texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=24), hostile_text)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
latin1 = st.text(st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=24)
authorizations = st.one_of(
    st.none(),
    st.binary(max_size=24).map(lambda raw: "Basic " + base64.b64encode(raw).decode()),
    latin1.map(lambda token: "Bearer " + token),
    latin1,
)
names = st.sampled_from(NAMES)
form_params = st.dictionaries(names, texts, max_size=6)
json_bodies = st.one_of(st.dictionaries(names, json_values, max_size=6), json_values)
path_values = {
    "int": st.integers(min_value=0, max_value=2**64).map(str),
    "default": st.one_of(
        st.sampled_from(["demo.provider", "fuzz.user", "x", "%2F"]),
        st.text(min_size=1, max_size=16).map(lambda t: quote(t, safe="")),
    ),
}
_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(app):
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in SKIPPED:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method))
    return found


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    app = make_test_app(tmp_path_factory.mktemp("fuzz"), **{"users.seed": True})
    with app.app_context():
        UserFactory()(username="fuzz.user", email="fuzz@example.com", phone="+16125550199")
    return app


@pytest.fixture(scope="module")
def sessions(fuzz_app):
    """Cookie and CSRF token of a signed-out and of a signed-in browser."""
    anonymous = fuzz_app.test_client()
    anonymous_token = csrf_token(anonymous.get("/signin").data)
    signed_in = fuzz_app.test_client()
    token = csrf_token(signed_in.get("/signin").data)
    signed_in.post("/signin", data={"csrf_token": token, "identifier": "fuzz.user"})
    page = signed_in.get("/signin/password")
    signed_in.post(
        "/signin/password", data={"csrf_token": csrf_token(page.data), "password": DEFAULT_PASSWORD}
    )
    assert signed_in.get("/profile").status_code == 200
    # Half-way journeys, so the later steps' pages are reached too.
    signing_in = fuzz_app.test_client()
    signing_in_token = csrf_token(signing_in.get("/signin").data)
    signing_in.post("/signin", data={"csrf_token": signing_in_token, "identifier": "fuzz.user"})
    recovering = fuzz_app.test_client()
    recovering_token = csrf_token(recovering.get("/recover/password").data)
    answer = recovering.post(
        "/recover/password", data={"csrf_token": recovering_token, "identifier": "fuzz.user"}
    )
    assert answer.status_code == 302
    return {
        name: (browser.get_cookie("ohid_session").value, token)
        for name, browser, token in (
            ("signed out", anonymous, anonymous_token),
            ("signed in", signed_in, csrf_token(page.data)),
            ("signing in", signing_in, signing_in_token),
            ("recovering", recovering, recovering_token),
        )
    }


def _fill(rule: str, draw) -> str:
    def value(match):
        converter = match.group(1) or "default"
        return draw(path_values.get(converter, path_values["default"]))

    return _VARIABLE.sub(value, rule)


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        import tempfile
        from pathlib import Path

        app = make_test_app(Path(tempfile.mkdtemp(prefix="routes-")))
        routes = _routes(app)
        metafunc.parametrize("route", routes, ids=[f"{m} {r}" for r, m in routes])


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "8")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_generated_parameters_never_get_a_5xx(fuzz_app, sessions, route, data):
    rule, method = route
    path = _fill(rule, data.draw)
    state = data.draw(st.sampled_from(sorted(sessions)), label="state")
    cookie, token = sessions[state]
    client = fuzz_app.test_client()
    client.set_cookie("ohid_session", cookie)
    query = data.draw(form_params, label="query")
    url = f"{path}?{urlencode(query)}" if query else path
    if method == "GET":
        attempts = [{}]
    else:
        form = data.draw(form_params, label="form")
        if data.draw(st.booleans(), label="with csrf"):
            form = {**form, "csrf_token": token}
        attempts = [
            {"data": form},
            {"json": data.draw(json_bodies, label="json"), "headers": {"X-CSRFToken": token}},
            {
                "data": data.draw(deep_json_text, label="deep json"),
                "content_type": "application/json",
                "headers": {"X-CSRFToken": token},
            },
        ]
    authorization = data.draw(authorizations, label="Authorization")
    for extra in attempts:
        if authorization is not None:
            extra["headers"] = {**extra.get("headers", {}), "Authorization": authorization}
        response = client.open(url, method=method, **extra)
        assert response.status_code < 500, (method, url, extra, response.data[:300])
