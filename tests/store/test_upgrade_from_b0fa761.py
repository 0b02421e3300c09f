"""A database made by commit b0fa761's own code, upgraded by today's start-up, then
used by its old users and clients: passwords, passkeys, clients and tokens kept.

b0fa761's code comes from this checkout's git history (``git archive``) and runs
in its own processes with its own PYTHONPATH: its ``mock-ohid init`` (demo users
and clients), its ``clients add``, its QA API (a user with a password, tokens)
and its passkey ceremony (``made_by_b0fa761.py``).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from idp.store.migrate import HEAD, current_revision
from idp.testing import start_mock_ohid
from idp.testing.journey import Journey
from idp.testing.softkey import SoftAuthenticator
from tests.postgres import NEEDS_POSTGRES, new_database

OLD = "b0fa761"
REPO = Path(__file__).resolve().parents[2]
FILLER = Path(__file__).with_name("made_by_b0fa761.py")
PORTAL_REDIRECT = "http://localhost:5009/callback"
# Rows a team cannot lose, counted before and after the upgrade.
KEPT_TABLES = ("users", "oauth2_clients", "passkey_credentials", "tokens", "password_history")


@pytest.fixture(scope="module")
def old_code(tmp_path_factory) -> Path:
    """b0fa761's files, from git history (skipped where the history is not there)."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed: the upgrade test runs b0fa761's code from history")
    known = subprocess.run(
        [git, "-C", str(REPO), "cat-file", "-e", f"{OLD}^{{commit}}"], capture_output=True
    )
    if known.returncode != 0:
        pytest.skip(
            f"commit {OLD} is not in this checkout's git history (a shallow clone?): "
            "the upgrade test runs that commit's own code"
        )
    archive = subprocess.run(
        [git, "-C", str(REPO), "archive", "--format=tar", OLD], capture_output=True, check=True
    )
    folder = tmp_path_factory.mktemp("b0fa761")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    shutil.copy(FILLER, folder / FILLER.name)
    return folder


def _run_old(old_code: Path, folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_OHID_")}
    env["PYTHONPATH"] = str(old_code)
    done = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def made_by_b0fa761(old_code: Path, folder: Path, database_url: str) -> dict:
    """A b0fa761 instance folder with its demo data and ours; what it made, as JSON."""
    config = folder / "old.toml"
    config.write_text(
        f'[security]\npassword_hash_profile = "fast"\n[database]\nurl = "{database_url}"\n'
    )
    _run_old(old_code, folder, "-m", "idp.cli", "--config", str(config), "init")
    added = _run_old(
        old_code,
        folder,
        *("-m", "idp.cli", "--config", str(config), "clients", "add", "--id", "legacy-portal"),
        *("--redirect-uri", PORTAL_REDIRECT, "--trusted"),
    )
    secret = re.search(r"client_secret: (\S+)", added).group(1)
    said = _run_old(old_code, folder, str(old_code / FILLER.name), str(config))
    return {**json.loads(said.strip().splitlines()[-1]), "portal_secret": secret}


def _counts(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
            for table in KEPT_TABLES
        }
    engine.dispose()
    return counts


def _sub_of(id_token: str) -> str:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=NEEDS_POSTGRES)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'instance' / 'mock-ohid.db'}"
    return new_database(request.getfixturevalue("postgres_url"), "made_by_b0fa761")


def test_a_b0fa761_database_is_upgraded_at_start_and_its_users_and_clients_sign_in(
    old_code, tmp_path, database_url
):
    legacy = made_by_b0fa761(old_code, tmp_path, database_url)
    before = _counts(database_url)
    assert before["passkey_credentials"] == 1 and before["tokens"] == 1
    engine = create_engine(database_url)
    assert current_revision(engine) is None
    engine.dispose()

    running, stop = start_mock_ohid(
        tmp_path,
        {
            "database.url": database_url,
            "keys.dir": str(tmp_path / "keys"),
            "server.instance_dir": str(tmp_path / "instance"),
        },
    )
    try:
        assert current_revision(engine) == HEAD
        assert _counts(database_url) == before
        issuer, old_tokens = running.issuer, legacy["tokens"]
        sub = _sub_of(old_tokens["id_token"])

        # The old user signs in with the old password to the client made by `clients add`.
        passkey = SoftAuthenticator(origin=issuer)
        passkey.add({**legacy["passkey"], "origin": issuer})
        journey = Journey(issuer, running.qa, passkey=passkey)
        callback = journey.sign_in(
            legacy["username"],
            legacy["password"],
            client_id="legacy-portal",
            redirect_uri=PORTAL_REDIRECT,
            scope="openid profile",
        )
        tokens = journey.exchange(callback, client_secret=legacy["portal_secret"])
        assert _sub_of(tokens["id_token"]) == sub

        # The same user with the old passkey alone.
        by_passkey = Journey(issuer, running.qa, passkey=passkey)
        callback = by_passkey.sign_in_with_passkey(
            client_id="legacy-portal", redirect_uri=PORTAL_REDIRECT
        )
        assert _sub_of(by_passkey.exchange(callback, legacy["portal_secret"])["id_token"]) == sub

        # A demo user b0fa761's init seeded, to a demo portal.
        demo = Journey(issuer, running.qa)
        callback = demo.sign_in(
            "demo.provider",
            "Password1",
            client_id="optum-connect-claims-online",
            redirect_uri="http://localhost:5001/callback",
        )
        assert demo.exchange(callback, client_secret="claims-online-demo-secret")["id_token"]

        # The tokens b0fa761 issued: the access token still reads userinfo, the refresh
        # token still refreshes.
        userinfo = requests.get(
            f"{issuer}/userinfo",
            headers={"Authorization": f"Bearer {old_tokens['access_token']}"},
            timeout=10,
        )
        assert userinfo.status_code == 200 and userinfo.json()["sub"] == sub
        refreshed = requests.post(
            f"{issuer}/token",
            data={"grant_type": "refresh_token", "refresh_token": old_tokens["refresh_token"]},
            auth=("optum-connect-claims-online", "claims-online-demo-secret"),
            timeout=10,
        )
        assert refreshed.status_code == 200, refreshed.text
        assert _sub_of(refreshed.json()["id_token"]) == sub

        # What the old debugger left: the secret it kept is gone, its URIs are off the client.
        with engine.connect() as connection:
            (data,) = connection.execute(text("SELECT data FROM debugger_runs")).one()
            (metadata,) = connection.execute(
                text("SELECT metadata_json FROM oauth2_clients WHERE client_id = 'legacy-portal'")
            ).one()
        data = json.loads(data) if isinstance(data, str) else data
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
        assert data["client"] == {"client_id": "legacy-portal", "method": "client_secret_basic"}
        assert metadata["redirect_uris"] == [PORTAL_REDIRECT]
        assert metadata["post_logout_redirect_uris"] == []
    finally:
        engine.dispose()
        stop()
