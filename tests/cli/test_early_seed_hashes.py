"""Start-up hashes the demo passwords before the app is built only when every
demo user is certain to be made: a fresh SQLite file with seeding on."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from idp import create_app
from idp.cli import main
from idp.cli.base import AppContext, early_seed_hashes
from idp.crypto.hashing import PasswordHashing
from idp.extensions import get_hashing
from idp.lifecycle.accounts import find_by_username


@pytest.fixture
def in_empty_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("MOCK_OHID_")]:
        monkeypatch.delenv(name)
    return tmp_path


def context(**overrides) -> AppContext:
    return AppContext(None, {"security.password_hash_profile": "fast", **overrides})


def test_a_fresh_sqlite_file_starts_the_demo_hashes(in_empty_dir):
    hashes = early_seed_hashes(context()).result(timeout=30)
    assert set(hashes) == {"Password1"}
    assert PasswordHashing("fast").verify(hashes["Password1"], "Password1")


def test_an_existing_database_file_starts_nothing(in_empty_dir):
    (in_empty_dir / "instance").mkdir()
    (in_empty_dir / "instance" / "mock-ohid.db").write_bytes(b"")
    assert early_seed_hashes(context()) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"users.seed": False},
        {"database.url": "postgresql+psycopg://u:p@127.0.0.1:9/db"},
        {"database.url": "sqlite:///:memory:"},
        {"users.seed_file": "missing.toml"},
    ],
    ids=["seeding off", "not SQLite", "in memory", "bad seed file"],
)
def test_nothing_is_started_unless_every_demo_user_will_be_made(in_empty_dir, overrides):
    assert early_seed_hashes(context(**overrides)) is None


def test_init_on_a_fresh_directory_seeds_users_whose_password_works(in_empty_dir, monkeypatch):
    monkeypatch.setenv("MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE", "fast")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    app = create_app()
    with app.app_context():
        user = find_by_username("demo.provider")
        assert get_hashing().verify(user.password_hash, "Password1")
