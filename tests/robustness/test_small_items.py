"""Cookies, file modes, CSV counts and alert floods."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from idp import create_app
from idp.cli import main
from idp.lifecycle.notifications import notify
from idp.policy.alerts import alert_allowed
from idp.store.models import OutboxMessage
from tests.helpers import csrf_token


class TestHttpsIssuer:
    @pytest.fixture
    def app_overrides(self):
        return {"server.issuer": "https://idp.example.test"}

    def test_remembered_identifier_cookie_is_secure(self, client, user):
        page = client.get("/signin")
        response = client.post(
            "/signin",
            data={
                "csrf_token": csrf_token(page.data),
                "identifier": user.username,
                "remember": "y",
            },
        )
        cookie = next(
            h for h in response.headers.getlist("Set-Cookie") if h.startswith("ohid_remember=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_new_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    database = tmp_path / "fresh" / "mock-ohid.db"
    create_app(
        overrides={
            "database.url": f"sqlite:///{database}",
            "keys.dir": str(tmp_path / "keys"),
            "server.instance_dir": str(tmp_path / "instance"),
        },
        environ={},
    )
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_security_alerts_stop_after_five_an_hour(app, db, clock, user):
    for _ in range(7):
        notify(user, "account_recovery_attempt")
        db.session.commit()

    def sent():
        return db.session.execute(
            db.select(db.func.count()).where(
                OutboxMessage.user_id == user.id,
                OutboxMessage.purpose == "account_recovery_attempt",
            )
        ).scalar_one()

    assert sent() == 5
    clock.advance(hours=1, seconds=1)
    notify(user, "account_recovery_attempt")
    db.session.commit()
    assert sent() == 6


def test_alert_allowed_counts_only_the_last_hour():
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    old = [now - timedelta(hours=2)] * 10
    recent = [now - timedelta(minutes=m) for m in (1, 10, 59)]
    assert alert_allowed(old + recent, now, per_hour=4)
    assert not alert_allowed(old + recent, now, per_hour=3)
    assert not alert_allowed([], now, per_hour=0)


def test_import_reports_bad_rows_not_problems(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE", "fast")
    monkeypatch.setenv("MOCK_OHID_USERS_SEED", "false")
    csv = tmp_path / "people.csv"
    # The first row breaks three rules, the second is good.
    csv.write_text(
        "username,email,password\nx,not-an-email,short\ngood.person,good@example.com,Password1\n"
    )
    result = CliRunner().invoke(main, ["users", "import", str(csv)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: 1 bad row(s) of 2; nothing imported"
