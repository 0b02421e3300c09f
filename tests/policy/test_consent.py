"""When the "Share my One Healthcare ID" screen is shown (pure rules)."""

from __future__ import annotations

import pytest

from idp.policy.consent import Sharing, consent_needed

EMAIL = Sharing.of(["openid", "email"])
EMAIL_PHONE = Sharing.of(["openid", "email", "phone"])


def test_openid_itself_is_not_something_to_consent_to():
    assert Sharing.of(["openid"]) == Sharing()


def test_unknown_scopes_are_left_out():
    assert Sharing.of(["openid", "wallet", "email"]).scopes == frozenset({"email"})


@pytest.mark.parametrize(
    ("trusted", "requested", "granted", "asked_again", "needed"),
    [
        (False, EMAIL, None, False, True),  # first time
        (False, EMAIL, EMAIL, False, False),  # remembered
        (False, EMAIL, EMAIL_PHONE, False, False),  # asks for less than allowed
        (False, EMAIL_PHONE, EMAIL, False, True),  # asks for more
        (False, Sharing.of(["openid"], ["name"]), EMAIL, False, True),  # a new named claim
        (True, EMAIL_PHONE, None, False, False),  # trusted portal
        (True, EMAIL, None, True, True),  # prompt=consent, even trusted
        (False, EMAIL, EMAIL, True, True),  # prompt=consent, even remembered
    ],
)
def test_consent_needed(trusted, requested, granted, asked_again, needed):
    assert (
        consent_needed(
            trusted=trusted, requested=requested, granted=granted, asked_again=asked_again
        )
        is needed
    )


def test_union_keeps_everything_allowed_before():
    total = EMAIL.union(Sharing.of(["phone"], ["name"]))
    assert total.scopes == frozenset({"email", "phone"}) and total.claims == frozenset({"name"})
