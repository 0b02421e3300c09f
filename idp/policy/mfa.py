"""Multi-factor rules (SPEC §3.1, §3.5, §4): amr and acr values. Pure.

``amr`` values are the RFC 8176 names SPEC §4 lists. ``acr`` says how
strongly the user was authenticated:

* ``urn:ohid:loa:1`` — one factor (a password, or a passkey without user
  verification);
* ``urn:ohid:loa:2`` — multi-factor (``amr`` contains ``mfa``).

A portal that sends ``acr_values`` containing ``urn:ohid:loa:2`` (or the
OpenID PAPE multi-factor policy URI) forces the second-factor step, even on a
remembered device.
"""

from __future__ import annotations

ACR_SINGLE_FACTOR = "urn:ohid:loa:1"
ACR_MULTI_FACTOR = "urn:ohid:loa:2"
ACR_VALUES_SUPPORTED = [ACR_SINGLE_FACTOR, ACR_MULTI_FACTOR]
PAPE_MULTI_FACTOR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
_MULTI_FACTOR_REQUESTS = {ACR_MULTI_FACTOR, PAPE_MULTI_FACTOR}


def acr_for(amr: list[str]) -> str:
    """The acr an authentication with these methods reached."""
    return ACR_MULTI_FACTOR if "mfa" in amr else ACR_SINGLE_FACTOR


def wants_multi_factor(acr_values: str | None) -> bool:
    """Whether a portal's ``acr_values`` (space-separated) asks for multi-factor."""
    return any(value in _MULTI_FACTOR_REQUESTS for value in (acr_values or "").split())


def passkey_amr(device_type: str, user_verified: bool) -> list[str]:
    """amr for a passkey assertion.

    A synced (backup-eligible, "multi_device") passkey is a software-secured
    key (``swk``); a device-bound one a hardware-secured key (``hwk``). With
    user verification (PIN or biometric on the device) it is two factors on
    its own, so ``mfa`` is added.
    """
    methods = ["swk" if device_type == "multi_device" else "hwk"]
    if user_verified:
        methods.append("mfa")
    return methods


def with_second_factor(amr: list[str], methods: list[str]) -> list[str]:
    """``amr`` after a second factor using ``methods``: those added, plus ``mfa``."""
    return list(dict.fromkeys([*amr, *methods, "mfa"]))


def group_recovery_code(code: str) -> str:
    """A recovery code as it is shown: groups of four digits."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
