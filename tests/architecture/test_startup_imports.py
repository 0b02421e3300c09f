"""What `mock-ohid serve` loads before it answers: libraries that only some pages
or commands need are imported where they are used, not at start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Each is needed by one page, one command or one kind of client only.
ONLY_WHERE_USED = {
    "requests": "the QA client of idp.testing (the server fetches with idp.fetch)",
    "urllib3": "through requests",
    "segno": "the authenticator app's QR code",
    "webauthn": "passkey ceremonies",
    "cbor2": "passkey ceremonies",
    "gunicorn": "serve --workers N",
    "flask_mail": "emails sent by SMTP (mail.server set)",
    "smtplib": "through flask_mail",
    "idp.demo": "mock-ohid demo",
    "alembic": "upgrading an older schema (a new or current one needs no migration)",
}

STARTUP = """
import json, sys
from idp import create_app
from idp.bootstrap import initialize
app = create_app(overrides={
    "database.url": "sqlite:///start.db",
    "keys.dir": "keys",
    "security.password_hash_profile": "fast",
})
with app.app_context():
    initialize(keys_in_background=True)
client = app.test_client()
assert client.get("/.well-known/openid-configuration").status_code == 200
assert client.get("/.well-known/jwks.json").status_code == 200
assert client.get("/signin").status_code in (200, 302)
print(json.dumps(sorted(sys.modules)))
"""


# Seeding a fresh database checks the demo users' addresses and phones; a restart
# (the users exist) has no use for either library until a page does.
NOT_LOADED_ON_RESTART = {
    "email_validator": "checking an email address",
    "phonenumbers": "checking or showing a phone number",
}


def _modules_after_start(folder) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", STARTUP],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def starts(tmp_path_factory) -> tuple[set[str], set[str]]:
    """Modules loaded by building the app, initializing it and answering a few pages:
    on a fresh folder, then again on the same folder (a restart)."""
    folder = tmp_path_factory.mktemp("start")
    return _modules_after_start(folder), _modules_after_start(folder)


@pytest.fixture
def loaded_at_start(starts) -> set[str]:
    return starts[0]


def _loaded(modules: set[str], package: str) -> set[str]:
    return {name for name in modules if name == package or name.startswith(package + ".")}


@pytest.mark.parametrize("module", sorted(ONLY_WHERE_USED))
def test_a_library_only_some_pages_need_is_not_loaded_at_start(loaded_at_start, module):
    assert not _loaded(loaded_at_start, module), (
        f"{module} ({ONLY_WHERE_USED[module]}) is imported at start-up"
    )


@pytest.mark.parametrize("module", sorted(NOT_LOADED_ON_RESTART))
def test_a_restart_does_not_load_what_only_seeding_needed(starts, module):
    fresh, restart = starts
    assert _loaded(fresh, module), "the fresh start seeds the demo users with it"
    assert not _loaded(restart, module), (
        f"{module} ({NOT_LOADED_ON_RESTART[module]}) is imported on a restart"
    )


def test_the_check_sees_what_start_up_does_load(loaded_at_start):
    # The same subprocess finds the libraries every request needs.
    assert {"flask", "sqlalchemy", "authlib", "idp.store.models"} <= loaded_at_start
