"""Near misses between a sent redirect URI and the registered ones."""

from __future__ import annotations

from idp.policy.redirects import near_miss

REGISTERED = ["http://localhost:3000/"]


def test_a_missing_trailing_slash_is_named():
    assert near_miss("http://localhost:3000", REGISTERED) == (
        "It differs from the registered http://localhost:3000/ only by a trailing slash."
    )


def test_another_loopback_name_is_named():
    assert "loopback host name" in near_miss("http://127.0.0.1:3000/", REGISTERED)


def test_scheme_and_port_are_named():
    assert "scheme" in near_miss("https://localhost:3000/", REGISTERED)
    assert "only by its port" in near_miss("http://localhost:3001/", REGISTERED)


def test_an_unrelated_uri_has_no_hint_and_hints_never_quote_the_sent_uri():
    assert near_miss("http://evil.example/<script>", REGISTERED) is None
    assert "<script>" not in (near_miss("http://localhost:3000/<script>", REGISTERED) or "")


def test_a_port_out_of_range_is_no_crash():
    assert near_miss("http://localhost:99999/", REGISTERED) == (
        "It differs from the registered http://localhost:3000/ only by its port."
    )
    assert near_miss("http://[::1/", REGISTERED) is None
