"""The clock, the key store and password hashing, without an app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idp.clock import Clock, parse_duration, parse_instant
from idp.crypto.hashing import PasswordHashing
from idp.oidc.keys import KeyStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("91d", timedelta(days=91)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("45s", timedelta(seconds=45)),
        ("2w", timedelta(weeks=2)),
        ("-1d", timedelta(days=-1)),
    ],
)
def test_parse_duration(text, delta):
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "91", "d", "1y", "ninety days"])
def test_bad_duration_is_refused(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_parse_instant_treats_naive_as_utc():
    assert parse_instant("2027-03-01T10:00:00") == datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert parse_instant("2027-03-01T10:00:00Z") == datetime(2027, 3, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_instant("yesterday")


def test_clock_advance_set_reset():
    clock = Clock()
    start = clock.now()
    clock.advance(timedelta(days=91))
    assert clock.now() - start >= timedelta(days=91)
    clock.set(NOW)
    assert abs(clock.now() - NOW) < timedelta(seconds=1)
    clock.reset()
    assert not clock.is_moved


def test_key_store_generates_rs256_and_es256_once(tmp_path):
    store = KeyStore(tmp_path / "keys")
    assert {k.alg for k in store.ensure_keys(NOW)} == {"RS256", "ES256"}
    assert store.ensure_keys(NOW) == []
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in (tmp_path / "keys").glob("*.json"))


def test_rotation_keeps_old_key_published_until_it_retires(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.ensure_keys(NOW)
    old = store.signing_key("RS256", NOW)
    new = store.rotate("RS256", NOW, timedelta(hours=24))
    assert store.signing_key("RS256", NOW).kid == new.kid
    published = {k["kid"] for k in store.jwks(NOW + timedelta(hours=23))["keys"]}
    assert {old.kid, new.kid} <= published
    later = {k["kid"] for k in store.jwks(NOW + timedelta(hours=25))["keys"]}
    assert old.kid not in later and new.kid in later


def test_a_second_store_on_the_same_folder_sees_a_rotation(tmp_path):
    first, second = KeyStore(tmp_path / "k"), KeyStore(tmp_path / "k")
    first.ensure_keys(NOW)
    assert second.signing_key("RS256", NOW).kid == first.signing_key("RS256", NOW).kid
    new = first.rotate("RS256", NOW, timedelta(hours=1))
    assert second.signing_key("RS256", NOW).kid == new.kid


def test_fast_and_standard_hashes_verify_across_profiles():
    fast, standard = PasswordHashing("fast"), PasswordHashing("standard")
    stored = standard.hash("Password1")
    assert stored.startswith("$argon2id$")
    assert fast.verify(stored, "Password1") and not fast.verify(stored, "password1")
    assert fast.needs_rehash(stored) and not standard.needs_rehash(stored)
    assert not fast.verify("not-a-hash", "Password1")
