"""Username and password rules, lockout and journey order (pure policy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idp.policy.journey import JourneyState, next_step
from idp.policy.lockout import after_failed_password, is_inactive, is_locked, minutes_left
from idp.policy.passwords import check_password, password_age
from idp.policy.usernames import check_username, username_key
from idp.settings import load_settings

RULES = load_settings(environ={})
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("username", "failed"),
    [
        ("dana.provider", []),
        ("abcdef", []),
        ("abcde", ["6 to 50 characters"]),
        ("a" * 51, ["6 to 50 characters"]),
        ("dana provider", ["No spaces"]),
        *[
            (f"dana{symbol}x", ["None of these Symbols"])
            for symbol in "%+\"&[]\\^'{|}<>#/,;():*~=-"
        ],
        ("dana_provider.99@", []),
        ("1234567", ["At least one letter"]),
        ("1234_5678.90", ["At least one letter"]),
        ("josé.rivera", ["No letters with accents"]),
        ("jose\u0301.rivera", ["No letters with accents"]),
        ("björn.olsen", ["No letters with accents"]),
        ("søren.kirk", ["No letters with accents"]),
        ("straße.user", ["No letters with accents"]),
        ("a1234567", []),
        ("ÉÉÉ", ["6 to 50 characters", "No letters with accents"]),
        # Look-alikes and invisible characters: a One Healthcare ID is printable ASCII.
        ("d\u0435mo.provider", ["No letters with accents"]),  # Cyrillic ie
        ("\uff44emo.provider", ["No letters with accents"]),  # fullwidth d
        ("demo.\u03bfrovider", ["No letters with accents"]),  # Greek omicron
        ("demo\u0338.provider", ["No letters with accents"]),  # combining solidus
        ("demo\u200b.provider", ["No spaces"]),  # zero-width space
        ("demo\u202e.provider", ["No spaces"]),  # right-to-left override
        ("demo\u00a0provider", ["No spaces"]),  # no-break space
        ("demo\u3000provider", ["No spaces"]),  # ideographic space
        ("demo\ufeff.provider", ["No spaces"]),  # byte order mark
        ("demo\u00ad.provider", ["No spaces"]),  # soft hyphen
        ("demo\tprovider", ["No spaces"]),
        ("demo\nprovider", ["No spaces"]),
        ("demo\x00provider", ["None of these Symbols"]),
        ("demo\x7fprovider", ["None of these Symbols"]),
        ("demo\x1bprovider", ["None of these Symbols"]),
        ("demo\u0085provider", ["No spaces"]),  # next line (a C1 control that is whitespace)
        ("demo\u0091provider", ["None of these Symbols"]),  # C1 control
        ("demo\uff11.provider", ["None of these Symbols"]),  # fullwidth digit one
        ("demo\u2024provider", ["None of these Symbols"]),  # one dot leader
        ("demo\u2800provider", ["None of these Symbols"]),  # braille blank
        ("demo\U0001f600x", ["None of these Symbols"]),  # emoji
        ("demo\ue000provider", ["None of these Symbols"]),  # private use
    ],
)
def test_username_rules(username, failed):
    errors, _ = check_username(username, RULES.username)
    assert [e.split(":")[0] for e in errors] == failed


def test_username_checklist_names_both_letter_rules_in_the_guides_words():
    from idp.policy.usernames import username_checklist

    texts = {r.key: (r.text, r.met) for r in username_checklist("josé.1", RULES.username)}
    assert texts["letter"] == ("At least one letter", True)
    assert texts["no_accents"] == ("No letters with accents", False)


def test_username_key_ignores_case():
    assert username_key("Dana.Provider") == username_key("dana.provider")


@pytest.mark.parametrize(
    ("password", "failed"),
    [
        ("Password1", []),
        ("Pass1", ["Between 8 and 100 characters"]),
        ("P1" + "a" * 99, ["Between 8 and 100 characters"]),
        ("password1", ["At least 1 uppercase letter"]),
        ("PASSWORD1", ["At least 1 lowercase letter"]),
        ("Passwordx", ["At least 1 number"]),
        ("Pass word1", ["No spaces and no & symbol"]),
        ("Pass&word1", ["No spaces and no & symbol"]),
        ("Dana.Provider1", ["Cannot be the same as your One Healthcare ID"]),
        (
            "",
            [
                "Between 8 and 100 characters",
                "At least 1 uppercase letter",
                "At least 1 lowercase letter",
                "At least 1 number",
            ],
        ),
    ],
)
def test_password_rules(password, failed):
    assert check_password(password, RULES.password, "dana.provider1") == failed


def test_password_age_91_days_is_expired():
    age = password_age(NOW - timedelta(days=91), NOW, RULES.password)
    assert age.expired and age.days_left == 0


def test_password_age_76_days_warns_with_14_days_left():
    age = password_age(NOW - timedelta(days=76), NOW, RULES.password)
    assert not age.expired and age.warn and age.days_left == 14


def test_password_age_75_days_does_not_warn():
    age = password_age(NOW - timedelta(days=75), NOW, RULES.password)
    assert not age.warn and age.days_left == 15


def test_fifth_failure_locks_for_thirty_minutes():
    assert after_failed_password(3, NOW, RULES.lockout).locked_until is None
    outcome = after_failed_password(4, NOW, RULES.lockout)
    assert outcome.failed_sign_ins == 5 and outcome.locked_until == NOW + timedelta(minutes=30)


def test_lock_lifts_after_its_time():
    until = NOW + timedelta(minutes=30)
    assert is_locked(until, NOW) and not is_locked(until, until)
    assert minutes_left(until, NOW + timedelta(minutes=29, seconds=1)) == 1


def test_inactivity_after_90_days_and_zero_turns_it_off():
    assert is_inactive(NOW - timedelta(days=90), NOW, 90)
    assert not is_inactive(NOW - timedelta(days=89), NOW, 90)
    assert not is_inactive(NOW - timedelta(days=900), NOW, 0)


def test_journey_with_nothing_to_do_is_complete():
    assert next_step(JourneyState()) is None


def test_journey_asks_in_ohid_order():
    state = JourneyState(
        email_verified=False,
        second_factor_required=True,
        device_check_required=True,
        phone_step_up_required=True,
        consent_required=True,
        password_expired=True,
    )
    assert next_step(state) == "verify_email"
    state = JourneyState(second_factor_required=True, consent_required=True, password_expired=True)
    assert next_step(state) == "second_factor"
    state = JourneyState(
        second_factor_required=True,
        second_factor_done=True,
        consent_required=True,
        password_expired=True,
    )
    assert next_step(state) == "consent"
    assert next_step(JourneyState(password_expired=True)) == "password_expired"


@pytest.mark.parametrize(
    ("value", "required", "problems", "normalized"),
    [
        ("  Dana  ", True, [], "Dana"),
        ("", True, ["This field is required."], ""),
        ("", False, [], ""),
        ("D" * 100, True, [], "D" * 100),
        ("D" * 101, True, ["Use 100 characters or fewer."], "D" * 101),
        ("Zoë O'Brien-Núñez", True, [], "Zoë O'Brien-Núñez"),
        ("Da\x00na", True, ["Use letters, spaces and punctuation only."], "Da\x00na"),
        ("Da\u202ena", True, ["Use letters, spaces and punctuation only."], "Da\u202ena"),
        ("Da\x1bna", True, ["Use letters, spaces and punctuation only."], "Da\x1bna"),
    ],
)
def test_name_rule(value, required, problems, normalized):
    from idp.policy.names import check_name

    assert check_name(value, required) == (problems, normalized)
