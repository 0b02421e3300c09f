"""Attempts are claimed before they are judged: the order of claims decides, not of checks."""

from __future__ import annotations

import pytest

from idp.errors import AccountLocked, TooManyAttempts
from idp.extensions import now
from idp.lifecycle.attempts import (
    claim_sign_in_attempt,
    fail_sign_in_attempt,
    pass_sign_in_attempt,
    release_sign_in_attempt,
)
from idp.lifecycle.codes import claim_code, claim_try, issue_code


def test_right_answer_loses_to_wrong_tries_claimed_after_it_that_use_the_limit_up(user, db):
    right = claim_sign_in_attempt(user)
    for _ in range(4):
        fail_sign_in_attempt(user, claim_sign_in_attempt(user), now())
        db.session.commit()
    with pytest.raises(AccountLocked):
        pass_sign_in_attempt(user, right)
    db.session.refresh(user)
    assert user.failed_sign_ins == 5 and user.locked_until is not None


def test_right_answer_as_the_last_try_still_signs_in(user, db):
    for _ in range(4):
        fail_sign_in_attempt(user, claim_sign_in_attempt(user), now())
        db.session.commit()
    pass_sign_in_attempt(user, claim_sign_in_attempt(user))
    db.session.commit()
    db.session.refresh(user)
    assert user.failed_sign_ins == 0 and user.locked_until is None


def test_no_try_is_handed_out_past_the_limit(user, db):
    for _ in range(5):
        claim_sign_in_attempt(user)
    with pytest.raises(AccountLocked) as refused:
        claim_sign_in_attempt(user)
    assert "try again in 30 minutes" in refused.value.text


def test_a_released_try_is_given_back(user, db):
    claim_sign_in_attempt(user)
    release_sign_in_attempt(user)
    db.session.refresh(user)
    assert user.failed_sign_ins == 0


def test_code_is_dead_for_a_right_try_when_later_tries_used_the_limit_up(user, db):
    row, _ = issue_code(user, "mfa", "sms", user.phone)
    db.session.commit()
    right = claim_try(row)
    for _ in range(4):
        claim_try(row)
    with pytest.raises(TooManyAttempts):
        claim_try(row)
    assert claim_code(row, now(), right) is False
    db.session.refresh(row)
    assert row.used_at is None
