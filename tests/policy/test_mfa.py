"""amr and acr rules (idp.policy.mfa)."""

from __future__ import annotations

import pytest

from idp.policy.mfa import (
    ACR_MULTI_FACTOR,
    ACR_SINGLE_FACTOR,
    acr_for,
    group_recovery_code,
    passkey_amr,
    wants_multi_factor,
    with_second_factor,
)


@pytest.mark.parametrize(
    ("amr", "acr"),
    [
        (["pwd"], ACR_SINGLE_FACTOR),
        (["hwk"], ACR_SINGLE_FACTOR),
        (["pwd", "otp", "mfa"], ACR_MULTI_FACTOR),
        (["hwk", "mfa"], ACR_MULTI_FACTOR),
    ],
)
def test_acr_follows_whether_amr_says_mfa(amr, acr):
    assert acr_for(amr) == acr


@pytest.mark.parametrize(
    ("acr_values", "wanted"),
    [
        (None, False),
        ("", False),
        ("urn:ohid:loa:1", False),
        ("urn:ohid:loa:2", True),
        ("urn:ohid:loa:1 urn:ohid:loa:2", True),
        ("http://schemas.openid.net/pape/policies/2007/06/multi-factor", True),
        ("urn:ohid:loa:22", False),
    ],
)
def test_acr_values_asking_for_multi_factor(acr_values, wanted):
    assert wants_multi_factor(acr_values) is wanted


@pytest.mark.parametrize(
    ("device_type", "verified", "amr"),
    [
        ("single_device", True, ["hwk", "mfa"]),
        ("single_device", False, ["hwk"]),
        ("multi_device", True, ["swk", "mfa"]),
        ("multi_device", False, ["swk"]),
    ],
)
def test_passkey_amr_by_backup_eligibility_and_user_verification(device_type, verified, amr):
    assert passkey_amr(device_type, verified) == amr


def test_second_factor_adds_its_methods_and_mfa_once():
    assert with_second_factor(["pwd"], ["otp"]) == ["pwd", "otp", "mfa"]
    assert with_second_factor(["pwd", "otp", "mfa"], ["sms"]) == ["pwd", "otp", "mfa", "sms"]


def test_recovery_code_is_shown_in_groups_of_four():
    assert group_recovery_code("1234567890123456") == "1234 5678 9012 3456"
