"""Portal claims rules: NPI Luhn check, Tax IDs, states, custom claims, release by scope."""

from __future__ import annotations

import pytest

from idp.policy.claims import SCOPES_SUPPORTED
from idp.policy.portal_claims import (
    check_portal_claims,
    check_scope_claims,
    claim_label,
    merge_portal_claims,
    npi_is_valid,
    released_portal_claims,
)


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # the example in the NPI standard's check-digit note
        ("1245319599", True),
        ("1234567890", False),
        ("123456789", False),
        ("12345678931", False),
        ("12345678a3", False),
        ("１２３４５６７８９３", False),  # full-width digits are not ASCII digits
    ],
)
def test_npi_check_digit_follows_the_npi_standard(npi, valid):
    assert npi_is_valid(npi) is valid


@pytest.mark.parametrize(
    ("claims", "field", "message"),
    [
        ({"npi": "1234567890"}, "claims.npi", "check digit is wrong"),
        ({"npi": "12345"}, "claims.npi", "An NPI is 10 digits."),
        ({"npi": True}, "claims.npi", "An NPI is 10 digits."),
        ({"tax_ids": ["12345678"]}, "claims.tax_ids", "A Tax ID is 9 digits"),
        ({"tax_ids": "123456789"}, "claims.tax_ids", "Give a list of Tax IDs."),
        ({"tax_ids": ["123456789", "12-3456789"]}, "claims.tax_ids", "listed twice"),
        (
            {"tax_ids": [f"{n:09d}" for n in range(31)]},
            "claims.tax_ids",
            "at most 30 Tax IDs; 31 were given",
        ),
        ({"state": "XX"}, "claims.state", "two-letter code"),
        ({"role": ""}, "claims.role", "non-empty text"),
        ({"practice_name": "x" * 201}, "claims.practice_name", "200 characters or fewer"),
        ({"job_functions": []}, "claims.job_functions", "non-empty list"),
        ({"job_functions": ["ok", 3]}, "claims.job_functions", "Each job function"),
        ({"tier": {"a": 1}}, "claims.tier", "JSON string, number or true/false"),
        ({"tier": [1, 2]}, "claims.tier", "JSON string, number or true/false"),
        ({"email": "x@example.com"}, "claims.email", "'email' is a standard claim"),
        ({"sub": "x"}, "claims.sub", "'sub' is a standard claim"),
        ({"9lives": "x"}, "claims.9lives", "starts with a letter"),
    ],
)
def test_bad_portal_claims_name_the_field(claims, field, message):
    errors, _ = check_portal_claims(claims)
    assert message in errors[field][0]


def test_good_portal_claims_are_normalized():
    errors, clean = check_portal_claims(
        {
            "npi": 1234567893,
            "tax_ids": ["12-3456789", " 987654321 "],
            "state": "mn",
            "role": " Administrator ",
            "job_functions": ["Claims submission"],
            "tier": 3,
            "beta": True,
            "region": None,
        }
    )
    assert errors == {}
    assert clean == {
        "npi": "1234567893",
        "tax_ids": ["123456789", "987654321"],
        "state": "MN",
        "role": "Administrator",
        "job_functions": ["Claims submission"],
        "tier": 3,
        "beta": True,
        "region": None,
    }


def test_thirty_tax_ids_are_allowed():
    errors, clean = check_portal_claims({"tax_ids": [f"{n:09d}" for n in range(30)]})
    assert errors == {} and len(clean["tax_ids"]) == 30


def test_merging_lays_changes_over_and_none_removes():
    _, merged = merge_portal_claims({"npi": "1234567893", "state": "MN"}, {"state": None, "x": 1})
    assert merged == {"npi": "1234567893", "x": 1}


def test_release_follows_the_mapping_for_granted_scopes_only():
    mapping = {"portal": ["npi", "tax_ids", "tier"], "profile": ["state"]}
    values = {"npi": "1234567893", "tax_ids": ["123456789"], "state": "MN", "role": "Admin"}
    assert released_portal_claims(mapping, ["openid", "portal"], values) == {
        "npi": "1234567893",
        "tax_ids": ["123456789"],
    }
    assert released_portal_claims(mapping, ["openid", "profile"], values) == {"state": "MN"}
    assert released_portal_claims(mapping, ["openid"], values) == {}
    assert released_portal_claims(None, ["portal"], values) == {}


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["npi"], "must be a table"),
        ({"admin": ["npi"]}, "'admin' is not a scope that can release claims"),
        ({"openid": ["npi"]}, "'openid' is not a scope"),
        ({"portal": []}, "non-empty list"),
        ({"portal": ["email"]}, "'email' is a standard claim"),
    ],
)
def test_bad_scope_claims_mappings_are_refused(mapping, message):
    assert message in check_scope_claims(mapping, SCOPES_SUPPORTED)


def test_consent_labels_name_each_claim():
    assert claim_label("npi") == "Your National Provider Identifier (NPI)"
    assert claim_label("tier") == "Your portal attribute “tier”"
