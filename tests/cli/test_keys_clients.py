"""`mock-ohid keys generate|rotate|list` and `mock-ohid clients add|list|remove`."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
import requests
import sqlalchemy
from click.testing import CliRunner
from joserfc.jwk import RSAKey

from idp.cli import main
from tests.live import clean_env, free_port, mock_ohid_command, start_serve, wait_for_http


@pytest.fixture
def cli(tmp_path):
    """Runs the CLI in-process against settings in ``tmp_path``."""
    env = {
        "MOCK_OHID_KEYS_DIR": str(tmp_path / "keys"),
        "MOCK_OHID_DATABASE_URL": f"sqlite:///{tmp_path / 'mock-ohid.db'}",
        "MOCK_OHID_SERVER_INSTANCE_DIR": str(tmp_path / "instance"),
    }

    def run(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return run


def test_keys_generate_then_list(cli, tmp_path):
    result = cli("keys", "generate")
    assert result.exit_code == 0
    assert "Generated RS256 key" in result.output and "Generated ES256 key" in result.output
    again = cli("keys", "generate")
    assert "already has a signing key" in again.output
    listing = cli("keys", "list").output
    assert listing.count("signing") == 2
    assert len(list((tmp_path / "keys").glob("*.json"))) == 2


def test_keys_rotate_retires_the_old_key_later(cli):
    cli("keys", "generate")
    result = cli("keys", "rotate", "--retire-after-hours", "2")
    assert result.exit_code == 0
    assert "New RS256 signing key: rs256-" in result.output
    assert "stops signing and stays in the JWKS until" in result.output
    listing = cli("keys", "list").output
    assert listing.count("retiring") == 1 and listing.count("signing") == 2


def test_keys_list_on_an_empty_folder_says_what_to_do(cli):
    assert "run: mock-ohid keys generate" in cli("keys", "list").output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["keys", "rotate", "--alg", "HS256"], "Invalid value for '--alg'"),
        (["keys", "rotate", "--retire-after-hours", "-1"], "--retire-after-hours"),
        (["clients", "add", "--redirect-uri", "http://localhost:1/cb"], "Missing option '--id'"),
        (["clients", "remove", "nobody"], "Error: no client 'nobody'"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_clear_line(cli, args, words):
    result = cli(*args)
    assert result.exit_code != 0
    assert words in result.output


def test_clients_add_generates_a_secret_shown_once(cli):
    result = cli(
        "clients", "add", "--id", "my-portal", "--name", "My Portal",
        "--redirect-uri", "http://localhost:3000/callback",
        "--post-logout-redirect-uri", "http://localhost:3000/",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Registered client my-portal (client_secret_basic)" in result.output
    secret = result.output.split("client_secret: ")[1].split()[0]
    assert len(secret) >= 32
    listing = cli("clients", "list").output
    assert "my-portal" in listing and "My Portal" in listing
    assert "redirect_uri             http://localhost:3000/callback" in listing
    assert "post_logout_redirect_uri http://localhost:3000/" in listing
    assert secret not in listing


def test_clients_add_refuses_a_duplicate_and_bad_uris(cli):
    cli("clients", "add", "--id", "dup", "--redirect-uri", "http://localhost:1/cb")
    duplicate = cli("clients", "add", "--id", "dup", "--redirect-uri", "http://localhost:1/cb")
    assert duplicate.exit_code == 2 and "Error: client 'dup' already exists" in duplicate.output
    bad = cli("clients", "add", "--id", "bad", "--redirect-uri", "ftp://x")
    assert bad.exit_code == 2 and "not an absolute http(s) URI" in bad.output


def test_clients_add_allowed_origin_is_stored_and_checked(cli, tmp_path):
    result = cli(
        "clients", "add", "--id", "spa", "--auth-method", "none",
        "--redirect-uri", "http://localhost:3000/cb", "--allowed-origin", "http://127.0.0.1:3000",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'mock-ohid.db'}")
    with engine.connect() as connection:
        stored = connection.execute(
            sqlalchemy.text("SELECT metadata_json FROM oauth2_clients WHERE client_id = 'spa'")
        ).scalar_one()
    engine.dispose()
    assert json.loads(stored)["allowed_origins"] == ["http://127.0.0.1:3000"]
    bad = cli(
        "clients", "add", "--id", "spa2", "--auth-method", "none",
        "--redirect-uri", "http://localhost:3000/cb", "--allowed-origin", "http://x:1/app",
    )  # fmt: skip
    assert bad.exit_code == 2 and "allowed_origins must be a list of origins" in bad.output


def test_clients_add_strict_auth_method_is_stored(cli, tmp_path):
    result = cli(
        "clients", "add", "--id", "strict", "--strict-auth-method",
        "--redirect-uri", "http://localhost:3000/cb",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'mock-ohid.db'}")
    with engine.connect() as connection:
        stored = connection.execute(
            sqlalchemy.text("SELECT metadata_json FROM oauth2_clients WHERE client_id = 'strict'")
        ).scalar_one()
    engine.dispose()
    assert json.loads(stored)["strict_auth_method"] is True


def test_clients_add_private_key_jwt_with_a_jwks_file(cli, tmp_path):
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    result = cli(
        "clients", "add", "--id", "jwt-portal", "--redirect-uri", "http://localhost:1/cb",
        "--auth-method", "private_key_jwt", "--jwks-file", str(jwks_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "client_secret" not in result.output
    missing = cli(
        "clients", "add", "--id", "nokeys", "--redirect-uri", "http://localhost:1/cb",
        "--auth-method", "private_key_jwt",
    )  # fmt: skip
    assert missing.exit_code == 2 and "private_key_jwt needs jwks or jwks_uri" in missing.output


def test_clients_remove_deletes_the_client(cli):
    cli("clients", "add", "--id", "gone", "--redirect-uri", "http://localhost:1/cb")
    result = cli("clients", "remove", "gone")
    assert result.exit_code == 0 and "Removed client gone" in result.output
    assert "gone" not in cli("clients", "list").output


def test_every_group_has_help_with_an_example(cli):
    for args in (
        ["keys"],
        ["keys", "list"],
        ["keys", "generate"],
        ["keys", "rotate"],
        ["clients"],
        ["clients", "add"],
        ["clients", "list"],
        ["clients", "remove"],
    ):
        result = cli(*args, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, args


def test_every_gunicorn_worker_signs_with_the_rotated_key(tmp_path):
    port = free_port()
    env = clean_env(
        MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}",
        MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
    )
    process = start_serve(tmp_path, env, port, "--workers", "2")
    try:
        jwks_url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
        wait_for_http(jwks_url, process, 40)
        rotated = subprocess.run(
            [*mock_ohid_command(), "keys", "rotate"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert rotated.returncode == 0, rotated.stderr
        new_kid = rotated.stdout.split("New RS256 signing key: ")[1].split()[0]
        # Fresh connections spread over both workers; each must publish the new key.
        for _ in range(8):
            keys = requests.get(jwks_url, timeout=5, headers={"Connection": "close"}).json()
            assert new_kid in {key["kid"] for key in keys["keys"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
