"""The fetch rule: loopback always, plus named hosts and IP networks."""

from __future__ import annotations

import pytest

from idp.policy.fetch_rules import FetchRule, normal_host, parse_entry

RULE = FetchRule.from_entries(["portal", "Mock-Portal.", "172.18.0.0/16", "fd00::/8", "10.1.2.3"])


@pytest.mark.parametrize(
    ("host", "address", "allowed"),
    [
        ("localhost", "127.0.0.1", True),
        ("localhost", "::1", True),
        ("anything", "127.5.6.7", True),
        ("anything", "::ffff:127.0.0.1", True),
        ("portal", "203.0.113.9", True),
        ("mock-portal", "203.0.113.9", True),
        ("PORTAL.", "203.0.113.9", True),
        ("other", "172.18.200.1", True),
        ("other", "172.19.0.1", False),
        ("other", "fd12::1", True),
        ("other", "10.1.2.3", True),
        ("other", "10.1.2.4", False),
        ("evil.example", "203.0.113.9", False),
        ("zero", "0.0.0.0", False),  # noqa: S104 - an address, not a bind
        ("link-local", "169.254.169.254", False),
        ("scoped", "fe80::1%eth0", False),
        ("garbage", "not-an-address", False),
    ],
)
def test_the_rule_decides_on_the_resolved_address(host, address, allowed):
    assert RULE.allows(host, address) is allowed


def test_an_ipv4_address_never_matches_an_ipv6_network():
    assert not FetchRule.from_entries(["::/0"]).allows("x", "203.0.113.9")


def test_loopback_alone_is_the_default():
    assert FetchRule().allows("x", "127.0.0.1") and not FetchRule().allows("x", "10.0.0.1")
    assert FetchRule().describe() == "loopback"


@pytest.mark.parametrize("entry", ["not a host!", "under_score", "-dash", "a..b", "", "1.2.3.4/40"])
def test_bad_entries_are_refused(entry):
    with pytest.raises(ValueError, match="neither a host name nor an IP address or network"):
        parse_entry(entry)


def test_host_names_compare_without_case_dot_or_brackets():
    assert normal_host(" [::1] ") == "::1" and normal_host("Portal.") == "portal"
