"""Portal claims: the attributes the Optum portals' own registrations hold.

NPI, Tax IDs, state, role, job functions, practice or group name, provider
type, and any custom claim a portal team needs. Pure rules: checking and
normalising values, and which of them a client's scope → claims mapping
releases for the scopes it was granted.
"""

from __future__ import annotations

import math
import re

# Name -> what the "Share my One Healthcare ID" screen calls it.
PORTAL_CLAIMS = {
    "npi": "Your National Provider Identifier (NPI)",
    "tax_ids": "Your Tax IDs (TIN)",
    "state": "Your state",
    "role": "Your role",
    "job_functions": "Your job functions",
    "practice_name": "Your practice or group name",
    "provider_type": "Your provider type",
}

MAX_TAX_IDS = 30
MAX_JOB_FUNCTIONS = 20
MAX_CUSTOM_CLAIMS = 50
MAX_TEXT = 200
MAX_CUSTOM_TEXT = 1000

# Registered claim names a portal claim may not take (OIDC Core §2, §5.1; RFC 7519 §4.1).
STANDARD_CLAIM_NAMES = frozenset(
    {
        "iss",
        "sub",
        "aud",
        "exp",
        "nbf",
        "iat",
        "jti",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "azp",
        "at_hash",
        "c_hash",
        "sid",
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "email_verified",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
        "phone_number_verified",
        "address",
        "updated_at",
        "scope",
        "client_id",
        "cnf",
        "events",
    }
)

CLAIM_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")

# USPS codes of the states, DC and the territories.
# fmt: off
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV",
    "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN",
    "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
})
# fmt: on


def npi_is_valid(npi: str) -> bool:
    """Whether ``npi`` is 10 digits whose last is the Luhn check digit of the NPI standard.

    The standard computes the Luhn check digit over the prefix 80840 (the
    health industry's issuer identifier) followed by the first nine digits.
    """
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi]
    total = 0
    # Luhn: from the right, every second digit (the check digit is the first) is doubled.
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def check_claim_name(name) -> str | None:
    """Why ``name`` cannot be a custom claim, or None."""
    if not isinstance(name, str) or not CLAIM_NAME_RE.match(name):
        return (
            "A claim name starts with a letter and has up to 64 letters, digits, "
            "'_', '.', ':' or '-'."
        )
    if name in STANDARD_CLAIM_NAMES:
        return f"'{name}' is a standard claim; choose another name."
    return None


def _text(value, limit: int) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, "Give a non-empty text."
    value = value.strip()
    if len(value) > limit:
        return None, f"Use {limit} characters or fewer."
    return value, None


def _npi(value):
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value.strip()) != 10 or not value.strip().isdigit():
        return None, "An NPI is 10 digits."
    value = value.strip()
    if not npi_is_valid(value):
        return None, "This NPI's check digit is wrong (Luhn check of the NPI standard)."
    return value, None


def _tax_ids(value):
    if not isinstance(value, list):
        return None, "Give a list of Tax IDs."
    if len(value) > MAX_TAX_IDS:
        return None, f"A user has at most {MAX_TAX_IDS} Tax IDs; {len(value)} were given."
    normalized: list[str] = []
    for item in value:
        # An EIN is often written 12-3456789; the hyphen carries nothing.
        digits = item.replace("-", "").strip() if isinstance(item, str) else None
        if not digits or len(digits) != 9 or not digits.isascii() or not digits.isdigit():
            return None, f"A Tax ID is 9 digits; {item!r} is not."
        if digits in normalized:
            return None, f"Tax ID {digits} is listed twice."
        normalized.append(digits)
    return normalized, None


def _state(value):
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in US_STATES:
        return None, "Give a US state as its two-letter code, such as MN."
    return code, None


def _job_functions(value):
    if not isinstance(value, list) or not value:
        return None, "Give a non-empty list of job functions."
    if len(value) > MAX_JOB_FUNCTIONS:
        return None, f"Give at most {MAX_JOB_FUNCTIONS} job functions."
    normalized = []
    for item in value:
        text, problem = _text(item, 100)
        if problem:
            return None, f"Each job function: {problem}"
        normalized.append(text)
    return normalized, None


def _custom(value):
    if isinstance(value, bool | int):
        return value, None
    if isinstance(value, float):
        return (value, None) if math.isfinite(value) else (None, "Numbers must be finite.")
    if isinstance(value, str):
        if len(value) > MAX_CUSTOM_TEXT:
            return None, f"Use {MAX_CUSTOM_TEXT} characters or fewer."
        return value, None
    return None, "A custom claim's value is a JSON string, number or true/false."


_CHECKS = {
    "npi": _npi,
    "tax_ids": _tax_ids,
    "state": _state,
    "role": lambda v: _text(v, 100),
    "job_functions": _job_functions,
    "practice_name": lambda v: _text(v, MAX_TEXT),
    "provider_type": lambda v: _text(v, 100),
}


def check_portal_claims(claims) -> tuple[dict[str, list[str]], dict]:
    """``(errors, normalized)`` for a mapping of claim name → value.

    Errors are keyed ``claims.<name>``. A value of None stays None: it means
    "remove this claim" when changing a user's claims.
    """
    if not isinstance(claims, dict):
        return {"claims": ["Give the claims as an object of name → value."]}, {}
    errors: dict[str, list[str]] = {}
    normalized: dict = {}
    for name, value in claims.items():
        field = f"claims.{name}"
        if name not in _CHECKS:
            problem = check_claim_name(name)
            if problem:
                errors[field] = [problem]
                continue
        if value is None:
            normalized[name] = None
            continue
        check = _CHECKS.get(name, _custom)
        clean, problem = check(value)
        if problem:
            errors[field] = [problem]
        else:
            normalized[name] = clean
    return errors, normalized


def merge_portal_claims(current: dict | None, changes: dict) -> tuple[dict[str, list[str]], dict]:
    """``(errors, merged)``: ``changes`` (already normalized) laid over ``current``;
    a None value removes that claim."""
    merged = dict(current or {})
    for name, value in changes.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    custom = [name for name in merged if name not in PORTAL_CLAIMS]
    if len(custom) > MAX_CUSTOM_CLAIMS:
        return {"claims": [f"A user has at most {MAX_CUSTOM_CLAIMS} custom claims."]}, {}
    return {}, merged


def check_scope_claims(mapping, scopes_supported) -> str | None:
    """Why a client's ``scope_claims`` (scope → claim names) is invalid, or None."""
    if not isinstance(mapping, dict):
        return "scope_claims must be a table of scope = [claim names]"
    for scope, names in mapping.items():
        if scope not in scopes_supported or scope == "openid":
            allowed = " ".join(s for s in scopes_supported if s != "openid")
            return f"scope_claims: {scope!r} is not a scope that can release claims ({allowed})"
        if not isinstance(names, list) or not names:
            return f"scope_claims.{scope} must be a non-empty list of claim names"
        for name in names:
            if name in PORTAL_CLAIMS:
                continue
            problem = check_claim_name(name)
            if problem:
                return f"scope_claims.{scope}: {problem}"
    return None


def released_portal_claims(mapping: dict | None, scopes, values: dict | None) -> dict:
    """The user's claim values that ``mapping`` releases for the granted ``scopes``."""
    if not mapping or not values:
        return {}
    names = [name for scope in scopes for name in mapping.get(scope, [])]
    return {name: values[name] for name in dict.fromkeys(names) if name in values}


def portal_claims_named(mapping: dict | None, scopes) -> list[str]:
    """Claim names ``mapping`` releases for ``scopes``, in order, without repeats."""
    if not mapping:
        return []
    return list(dict.fromkeys(name for scope in scopes for name in mapping.get(scope, [])))


def claim_label(name: str) -> str:
    """What the consent screen calls a portal claim."""
    return PORTAL_CLAIMS.get(name) or f"Your portal attribute “{name}”"
