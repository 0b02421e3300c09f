"""Random token strings: the alphabet and lengths Authlib's generate_token gives."""

from __future__ import annotations

import string

from idp.oidc import tokens
from idp.oidc.tokens import random_token

LETTERS_AND_DIGITS = set(string.ascii_letters + string.digits)


def test_random_token_has_the_length_asked_of_letters_and_digits_only():
    for length in (1, 43, 48, 200):
        token = random_token(length)
        assert len(token) == length
        assert set(token) <= LETTERS_AND_DIGITS


def test_random_tokens_draw_every_letter_and_digit_and_never_repeat():
    drawn = [random_token(48) for _ in range(300)]
    assert set("".join(drawn)) == LETTERS_AND_DIGITS
    assert len(set(drawn)) == len(drawn)


def test_bytes_that_would_bias_the_draw_are_skipped(monkeypatch):
    # 248..255 would favour the first 8 characters; the next read fills their place.
    reads = iter([bytes([255, 248, 0, 61, 62, 247]), bytes([1] * 16)])
    monkeypatch.setattr(tokens.secrets, "token_bytes", lambda _n: next(reads))
    assert random_token(6) == "a9a9bb"
