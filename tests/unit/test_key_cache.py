"""The key store parses each key once and serves the JWKS from bytes, yet sees
every change another process makes to the folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from idp.oidc.keys import KeyStore

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def kids_in(body: bytes) -> set[str]:
    return {key["kid"] for key in json.loads(body)["keys"]}


def test_a_key_is_parsed_once_while_its_file_is_unchanged(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.ensure_keys(NOW)
    first = store.signing_key("RS256", NOW).private_key()
    assert store.signing_key("RS256", NOW).private_key() is first
    assert store.jwks_bytes(NOW) is store.jwks_bytes(NOW)


def test_jwks_bytes_follow_a_rotation_made_by_another_store(tmp_path):
    ours, theirs = KeyStore(tmp_path / "keys"), KeyStore(tmp_path / "keys")
    ours.ensure_keys(NOW)
    before = kids_in(ours.jwks_bytes(NOW))
    new = theirs.rotate("RS256", NOW, timedelta(hours=1))
    after = kids_in(ours.jwks_bytes(NOW))
    assert after == before | {new.kid}
    assert ours.signing_key("RS256", NOW).kid == new.kid


def test_jwks_bytes_drop_a_key_once_it_retires(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.ensure_keys(NOW)
    old = store.signing_key("RS256", NOW)
    store.rotate("RS256", NOW, timedelta(hours=1))
    assert old.kid in kids_in(store.jwks_bytes(NOW))
    assert old.kid not in kids_in(store.jwks_bytes(NOW + timedelta(hours=2)))


def test_jwks_bytes_match_the_jwks_document(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.ensure_keys(NOW)
    assert json.loads(store.jwks_bytes(NOW)) == store.jwks(NOW)
