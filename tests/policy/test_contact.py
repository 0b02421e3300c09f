"""Email rules: the reserved test domains QA scripts use are accepted (SPEC §5.1)."""

from __future__ import annotations

import pytest

from idp.policy.contact import check_email


@pytest.mark.parametrize(
    "address",
    ["quinn@example.test", "q@portal.example", "q@app.localhost", "q@example.com", "q@qa.test"],
)
def test_reserved_test_domains_are_accepted(address):
    assert check_email(address) == ([], address)


@pytest.mark.parametrize("address", ["q@x.invalid", "q@printer.local", "q@x.onion", "q@localhost"])
def test_other_special_use_names_are_refused_with_the_usual_sentence(address):
    errors, _ = check_email(address)
    assert errors == ["Enter a valid email address, like name@example.com."]
