"""Signed link tokens (state digest, clock-based expiry) and security answer rules: no app."""

from __future__ import annotations

import pytest

from idp.crypto.link_tokens import LinkTokens, state_digest
from idp.errors import LinkTokenExpired, LinkTokenInvalid, LinkTokenStale
from idp.lifecycle.security_questions import QUESTIONS
from idp.policy.security_answers import check_security_answers, normalize_answer


class FakeClock:
    def __init__(self, at: float = 1_800_000_000):
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def tokens(clock):
    return LinkTokens("unit-test-secret", clock)


def test_token_round_trip_and_state_check(tokens):
    token = tokens.make("email_activation", {"u": 7, "c": 3}, 7, "q@example.com", 3)
    link = tokens.read("email_activation", token, 3600)
    assert link.subject == {"u": 7, "c": 3}
    link.check_state(7, "q@example.com", 3)


def test_changed_state_makes_the_token_stale(tokens):
    token = tokens.make("email_activation", {"u": 7}, 7, "q@example.com", 3)
    link = tokens.read("email_activation", token, 3600)
    with pytest.raises(LinkTokenStale):
        link.check_state(7, "q@example.com", 4)
    with pytest.raises(LinkTokenStale):
        link.check_state(7, "new@example.com", 3)


def test_token_expires_on_the_given_clock(tokens, clock):
    token = tokens.make("email_activation", {"u": 7}, "s")
    clock.at += 3600
    tokens.read("email_activation", token, 3600)
    clock.at += 1
    with pytest.raises(LinkTokenExpired):
        tokens.read("email_activation", token, 3600)


def test_token_of_another_purpose_is_invalid(tokens):
    token = tokens.make("password_reset", {"u": 7}, "s")
    with pytest.raises(LinkTokenInvalid):
        tokens.read("email_activation", token, 3600)


def test_token_signed_with_another_key_is_invalid(tokens, clock):
    foreign = LinkTokens("another-secret", clock).make("email_activation", {"u": 7}, "s")
    with pytest.raises(LinkTokenInvalid):
        tokens.read("email_activation", foreign, 3600)


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "%%%"])
def test_junk_is_invalid(tokens, junk):
    with pytest.raises(LinkTokenInvalid):
        tokens.read("email_activation", junk, 3600)


def test_tampered_payload_is_invalid(tokens):
    token = tokens.make("email_activation", {"u": 7}, "s")
    payload, rest = token.split(".", 1)
    forged = tokens.make("email_activation", {"u": 8}, "s").split(".", 1)[0]
    assert forged != payload
    with pytest.raises(LinkTokenInvalid):
        tokens.read("email_activation", f"{forged}.{rest}", 3600)


def test_state_digest_separates_parts():
    assert state_digest("ab", "c") != state_digest("a", "bc")
    assert state_digest(1, "x") == state_digest("1", "x")


GOOD = [(QUESTIONS[0], "Rex"), (QUESTIONS[1], "Duluth"), (QUESTIONS[2], "Saab")]


def test_three_different_questions_with_answers_pass():
    assert check_security_answers(GOOD, QUESTIONS) == {}


@pytest.mark.parametrize(
    ("pairs", "errors"),
    [
        ([GOOD[0], GOOD[0], GOOD[2]], {"question_2", "answer_2"}),
        ([GOOD[0], ("", "Duluth"), GOOD[2]], {"question_2"}),
        ([GOOD[0], ("What is your PIN?", "1234"), GOOD[2]], {"question_2"}),
        ([GOOD[0], (QUESTIONS[1], "   "), GOOD[2]], {"answer_2"}),
        ([GOOD[0], (QUESTIONS[1], " rex "), GOOD[2]], {"answer_2"}),
        ([GOOD[0], (QUESTIONS[1], "x" * 101), GOOD[2]], {"answer_2"}),
        ([(None, None), GOOD[1], GOOD[2]], {"question_1", "answer_1"}),
    ],
)
def test_broken_security_answer_rules(pairs, errors):
    assert set(check_security_answers(pairs, QUESTIONS)) == errors


def test_answers_compare_without_case_or_extra_spaces():
    assert normalize_answer("  New   York ") == normalize_answer("new york")
