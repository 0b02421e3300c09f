"""Pure rules added for recovery: security-answer blocking and the expiry warning step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idp.policy.journey import JourneyState, next_step
from idp.policy.lockout import answers_blocked_minutes
from idp.settings import load_settings

RULES = load_settings(environ={})
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes_ago", "blocked"),
    [
        ([], 0),
        ([1, 2, 3, 4], 0),
        ([1, 2, 3, 4, 5], 25),
        ([0, 0, 0, 0, 0], 30),
        ([29, 29, 29, 29, 29], 1),
        ([30, 30, 30, 30, 30], 0),
        ([1, 2, 3, 4, 40], 0),
    ],
)
def test_five_wrong_answer_sets_within_the_lock_time_block(minutes_ago, blocked):
    failures = [NOW - timedelta(minutes=m) for m in minutes_ago]
    assert answers_blocked_minutes(failures, NOW, RULES.lockout) == blocked


def test_expiry_warning_is_the_last_step_and_never_with_an_expired_password():
    assert next_step(JourneyState(password_expiring=True)) == "password_expiring"
    assert next_step(JourneyState(password_expiring=True, consent_required=True)) == "consent"
    both = JourneyState(password_expiring=True, password_expired=True)
    assert next_step(both) == "password_expired"
