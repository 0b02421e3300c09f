"""Which client authentication methods a client may use, and what it is told when not."""

from __future__ import annotations

import pytest

from idp.policy.client_auth import accepted_methods, presented_method, refusal

ALL = ("client_secret_basic", "client_secret_post", "none", "private_key_jwt")
CONFIDENTIAL = ("client_secret_basic", "client_secret_post", "private_key_jwt")


@pytest.mark.parametrize("registered", ["client_secret_basic", "client_secret_post"])
def test_a_secret_client_takes_either_secret_method(registered):
    assert set(accepted_methods(registered, strict=False)) == {
        "client_secret_basic",
        "client_secret_post",
    }


@pytest.mark.parametrize("registered", ALL)
def test_a_strict_client_takes_only_its_method(registered):
    assert accepted_methods(registered, strict=True) == (registered,)


@pytest.mark.parametrize("registered", ["none", "private_key_jwt"])
def test_keyed_and_public_clients_take_only_their_method(registered):
    assert accepted_methods(registered, strict=False) == (registered,)


def test_the_authorization_header_decides_the_presented_method():
    assert presented_method(header=True, assertion=True, body_secret=True) == (
        "client_secret_basic"
    )
    assert presented_method(header=False, assertion=True, body_secret=True) == "private_key_jwt"
    assert presented_method(header=False, assertion=False, body_secret=True) == (
        "client_secret_post"
    )
    assert presented_method(header=False, assertion=False, body_secret=False) == "none"


def test_an_allowed_method_is_not_refused():
    assert (
        refusal("client_secret_basic", "client_secret_post", strict=False, endpoint_methods=ALL)
        is None
    )


def test_strict_refusal_names_both_ways():
    text = refusal("client_secret_post", "client_secret_basic", strict=True, endpoint_methods=ALL)
    assert text == (
        "This client is registered for client_secret_post only (strict): send the secret as "
        "client_secret in the form body, not the secret in the Authorization header (HTTP Basic)."
    )


def test_a_keyed_client_sending_a_secret_is_told_to_sign_an_assertion():
    text = refusal("private_key_jwt", "client_secret_basic", strict=False, endpoint_methods=ALL)
    assert text.startswith("This client is registered for private_key_jwt: send a client_assertion")


def test_an_endpoint_that_does_not_take_the_method_says_which_it_takes():
    text = refusal("none", "none", strict=False, endpoint_methods=CONFIDENTIAL)
    assert text == (
        "This client is registered for none, which this endpoint does not take "
        "(client_secret_basic, client_secret_post, private_key_jwt)."
    )
