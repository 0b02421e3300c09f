"""Every bad input to the command line: exit code != 0, one line on stderr, no traceback."""

from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner

from idp.cli import main
from tests.live import clean_env, mock_ohid_command

GOOD_CLIENT = """
[[client]]
client_id = "portal"
client_name = "Portal"
client_secret = "s3cret"
redirect_uris = ["http://localhost:3000/cb"]
"""
PRIVATE_JWK = '{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "x"}'

# label -> (files to write {name: bytes}, settings TOML or None, command, expected text)
CASES = {
    "config not TOML": ({"c.toml": b"x = ["}, "c.toml", ["init"], "is not valid TOML"),
    "config not UTF-8": ({"c.toml": b"\xff\xfe[server]"}, "c.toml", ["init"], "not UTF-8 text"),
    "config is a folder": ({"c.toml/x": b""}, "c.toml", ["init"], "is a directory"),
    "config unknown setting": (
        {"c.toml": b"[server]\ncolour = 1\n"},
        "c.toml",
        ["init"],
        "unknown setting server.colour",
    ),
    "clients not TOML": (
        {"clients.toml": b"[[client]\n"},
        None,
        ["init"],
        "clients.file:",
    ),
    "clients not UTF-8": ({"clients.toml": b"\xff[[client]]"}, None, ["init"], "not UTF-8 text"),
    "clients without [[client]]": (
        {"clients.toml": b'[client]\nclient_id = "x"\n'},
        None,
        ["init"],
        "has no [[client]] tables",
    ),
    "clients empty": ({"clients.toml": b""}, None, ["init"], "has no [[client]] tables"),
    "client not a table": ({"clients.toml": b"client = 5\n"}, None, ["init"], "[[client]]"),
    "client_id not a string": (
        {"clients.toml": b"[[client]]\nclient_id = 1\n"},
        None,
        ["init"],
        "client_id must be a string",
    ),
    "client unknown key": (
        {"clients.toml": (GOOD_CLIENT + 'colour = "blue"\n').encode()},
        None,
        ["init"],
        "unknown keys colour",
    ),
    "client bad redirect": (
        {"clients.toml": GOOD_CLIENT.replace("http://localhost:3000/cb", "nope").encode()},
        None,
        ["init"],
        "not an absolute http(s) URI",
    ),
    "mysql without driver": (
        {"c.toml": b'[database]\nurl = "mysql://u:pw@localhost/db"\n'},
        "c.toml",
        ["init"],
        "database.url: cannot use 'mysql://u:***@localhost/db'",
    ),
    "unreachable PostgreSQL": (
        {"c.toml": b'[database]\nurl = "postgresql+psycopg://u:p@127.0.0.1:9/db"\n'},
        "c.toml",
        ["init"],
        "database:",
    ),
    "SQLite path is a folder": (
        {"db/x": b"", "c.toml": b'[database]\nurl = "sqlite:///db"\n'},
        "c.toml",
        ["init"],
        "database: unable to open database file",
    ),
    "read-only SQLite": (
        {"c.toml": b'[database]\nurl = "sqlite:///file:ro.db?mode=ro&uri=true"\n', "ro.db": b""},
        "c.toml",
        ["init"],
        "database: ",
    ),
    "malformed JWK": (
        {
            "keys/bad.json": (
                '{"kid": "k1", "alg": "RS256", "created_at": "2026-01-01T00:00:00+00:00", '
                f'"jwk": {PRIVATE_JWK}}}'
            ).encode()
        },
        None,
        ["init"],
        "malformed JWK in key file",
    ),
    "key file not JSON": ({"keys/bad.json": b"{"}, None, ["keys", "list"], "unreadable key file"),
    "users seed not TOML": (
        {"c.toml": b'[users]\nseed_file = "u.toml"\n', "u.toml": b"[[user]"},
        "c.toml",
        ["init"],
        "users.seed_file:",
    ),
    "expire-password far past": (
        {},
        None,
        ["users", "expire-password", "demo.provider", "--days", "99999999999"],
        "99999999999 is out of range; give a number of days from 0 to 36500.",
    ),
    "expire-password days not a number": (
        {},
        None,
        ["users", "expire-password", "demo.provider", "--days", "abc"],
        "'abc' is not a whole number; give a number of days from 0 to 36500.",
    ),
    "clock advance overflow": (
        {},
        None,
        ["clock", "advance", "99999999d"],
        "the clock must stay between 2000 and 2200",
    ),
    "clock advance nonsense": ({}, None, ["clock", "advance", "soon"], "not a duration"),
    "import binary file": (
        {"people.csv": bytes(range(256)) * 4},
        None,
        ["users", "import", "people.csv"],
        "people.csv: not UTF-8 text",
    ),
    "import missing columns": (
        {"people.csv": b"username\nx\n"},
        None,
        ["users", "import", "people.csv"],
        "missing column(s): email, password",
    ),
    "outbox limit too large": (
        {},
        None,
        ["outbox", "--limit", "99999999999999999999"],
        "is out of range; give a number of messages from 1 to 100000.",
    ),
    "unknown user": ({}, None, ["users", "lock", "nobody.here"], "no user with One Healthcare ID"),
    "missing argument": ({}, None, ["users", "lock"], "Missing argument 'USERNAME'"),
}


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke the CLI in-process in a fresh directory, with only the given settings."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("MOCK_OHID_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE", "fast")

    def invoke(files, config, command, *options):
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if "clients.toml" in files:
            monkeypatch.setenv("MOCK_OHID_CLIENTS_FILE", str(tmp_path / "clients.toml"))
        args = [*options, *(["--config", config] if config else []), *command]
        return CliRunner().invoke(main, args)

    return invoke


@pytest.mark.parametrize("label", list(CASES))
def test_bad_input_is_one_line_and_a_failing_exit(run, label):
    files, config, command, expected = CASES[label]
    result = run(files, config, command)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    # A deliberate exit, not an exception escaping the command.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and expected in lines[0], lines[0]


def test_debug_lets_the_exception_through_for_its_traceback(run):
    files, config, command, _ = CASES["clients without [[client]]"]
    result = run(files, config, command, "--debug")
    assert result.exit_code != 0
    assert "has no [[client]] tables" in str(result.exception)
    assert not isinstance(result.exception, SystemExit)


def test_installed_command_prints_one_line_without_traceback(tmp_path):
    (tmp_path / "clients.toml").write_bytes(b"\xff")
    result = subprocess.run(
        [*mock_ohid_command(), "init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(MOCK_OHID_CLIENTS_FILE=str(tmp_path / "clients.toml")),
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: clients.file: {tmp_path / 'clients.toml'} is not UTF-8 text"
    ]
