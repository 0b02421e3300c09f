"""Bounds and URI characters of registered client metadata (idp.policy.client_metadata)."""

from __future__ import annotations

import pytest

from idp.policy.client_metadata import is_uri_text, metadata_problem


@pytest.mark.parametrize(
    "uri",
    [
        "http://localhost:5001/callback",
        "https://portal.example/cb?x=1&y=%20#",
        "http://[::1]:8080/a;b=c,d!$'()*+~",
    ],
)
def test_rfc_3986_characters_are_uri_text(uri):
    assert is_uri_text(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "http://a/ b",
        "http://a/\t",
        "http://a/\n",
        'http://a/"',
        "http://a/\\",
        "http://a/é",
        "http://a/\u202e",
        "http://a/\x00",
        "http://a/\x7f",
        "http://a/<x>",
        "http://a/{x}",
    ],
)
def test_anything_else_is_not(uri):
    assert not is_uri_text(uri)


def test_metadata_within_bounds_has_no_problem():
    assert metadata_problem({"redirect_uris": ["http://localhost/cb"], "client_name": "P"}) is None


def test_the_problem_names_the_field_and_never_the_value():
    field, message = metadata_problem({"jwks_uri": 'http://x/"secret'})
    assert field == "jwks_uri" and "secret" not in message


def test_values_of_the_wrong_type_are_left_to_the_type_checks():
    assert metadata_problem({"client_name": 5, "redirect_uris": "x", "jwks": []}) is None


@pytest.mark.parametrize("name", ["Portal\x00", "Por\u202etal", "Portal\n"])
def test_a_client_name_with_control_or_invisible_characters_is_refused(name):
    assert metadata_problem({"client_name": name}) == (
        "client_name",
        "client_name must not contain control or invisible characters.",
    )
