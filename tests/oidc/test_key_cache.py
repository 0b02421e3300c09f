"""The key store parses each key once and serves the JWKS from bytes, yet sees
every change another process makes to the folder."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from joserfc.jwk import ECKey, RSAKey

from idp.oidc.keys import KeyError_, KeyStore

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


def test_keys_made_in_background_are_one_set_for_every_concurrent_reader(tmp_path):
    store = KeyStore(tmp_path / "keys")
    thread = store.ensure_keys_in_background(NOW)
    assert thread is not None
    barrier = threading.Barrier(6)

    def read(_):
        barrier.wait()
        return store.signing_key("RS256", NOW).kid, store.jwks_bytes(NOW)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = set(pool.map(read, range(6)))
    thread.join()
    assert len(answers) == 1
    kid, body = answers.pop()
    assert kid in kids_in(body) and len(kids_in(body)) == 2
    assert len(list((tmp_path / "keys").glob("*.json"))) == 2


def test_stores_sharing_an_empty_folder_make_one_key_per_algorithm(tmp_path):
    stores = [KeyStore(tmp_path / "keys") for _ in range(4)]
    barrier = threading.Barrier(len(stores))

    def make(store):
        barrier.wait()
        return [key.kid for key in store.ensure_keys(NOW)]

    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        made = [kid for kids in pool.map(make, stores) for kid in kids]
    assert len(made) == 2 and len(list((tmp_path / "keys").glob("*.json"))) == 2
    for alg in ("RS256", "ES256"):
        assert len({store.signing_key(alg, NOW).kid for store in stores}) == 1


def test_no_background_work_when_the_keys_exist(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.ensure_keys(NOW)
    assert KeyStore(tmp_path / "keys").ensure_keys_in_background(NOW) is None


def test_a_key_just_made_is_not_parsed_again(tmp_path, monkeypatch):
    store = KeyStore(tmp_path / "keys")
    made = {key.kid: key for key in store.ensure_keys(NOW)}

    def refuse(*_args, **_kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(RSAKey, "import_key", refuse)
    monkeypatch.setattr(ECKey, "import_key", refuse)
    kept = store.keys()
    assert {key.kid for key in kept} == set(made)
    for key in kept:
        assert key.private_key() is made[key.kid].private_key()


def test_keys_that_cannot_be_made_in_background_fail_every_reader(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    store = KeyStore(tmp_path / "not-a-folder" / "keys")
    store.ensure_keys_in_background(NOW).join()
    with pytest.raises(KeyError_, match="signing keys could not be made"):
        store.signing_key("RS256", NOW)
