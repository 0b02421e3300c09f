"""What a fault from /_qa/faults may say, with its defaults."""

from __future__ import annotations

import pytest

from idp.policy.faults import check_fault


def test_error_fault_defaults_to_one_503_temporarily_unavailable():
    assert check_fault({"endpoint": "token", "kind": "error"}) == (
        None,
        {
            "endpoint": "token",
            "kind": "error",
            "count": 1,
            "status": 503,
            "error": "temporarily_unavailable",
        },
    )


@pytest.mark.parametrize(
    ("status", "error"), [(500, "server_error"), (400, "invalid_request"), (429, "slow_down")]
)
def test_default_error_code_follows_the_status(status, error):
    _, fault = check_fault({"endpoint": "jwks", "kind": "error", "status": status})
    assert fault["error"] == error


def test_delay_fault_keeps_its_milliseconds():
    problem, fault = check_fault(
        {"endpoint": "userinfo", "kind": "delay", "delay_ms": 250, "count": 3}
    )
    assert problem is None and fault == {
        "endpoint": "userinfo",
        "kind": "delay",
        "count": 3,
        "delay_ms": 250,
    }


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"endpoint": "register", "kind": "error"}, "endpoint"),
        ({"endpoint": "token", "kind": "crash"}, "kind"),
        ({"endpoint": "token", "kind": "error", "count": 1001}, "count"),
        ({"endpoint": "token", "kind": "error", "status": 302}, "status"),
        ({"endpoint": "token", "kind": "error", "error": "a b"}, "error"),
        ({"endpoint": "token", "kind": "delay", "delay_ms": 0}, "delay_ms"),
        ({"endpoint": "token", "kind": "delay", "delay_ms": 5, "error": "x"}, "error"),
    ],
)
def test_bad_faults_name_the_field(spec, field):
    problem, fault = check_fault(spec)
    assert problem.startswith(f"{field}: ") and fault == {}
