"""`mock-ohid users|outbox|clock` through click's runner, in a fresh directory."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from idp.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("MOCK_OHID_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE", "fast")
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_users_add_then_show(run):
    result = run(
        "users",
        "add",
        "--username",
        "jane.doe1",
        "--email",
        "jane@example.com",
        "--password",
        "Password1",
        "--phone",
        "6125550111",
    )
    assert result.exit_code == 0 and "Created jane.doe1" in result.output
    state = json.loads(run("users", "show", "jane.doe1").output)
    assert state["phone"] == "+16125550111" and state["email_verified"] is True


def test_users_add_bad_input_is_one_line_and_non_zero(run):
    result = run(
        "users", "add", "--username", "ab", "--email", "jane@example.com", "--password", "Password1"
    )
    assert result.exit_code == 2
    assert result.output.strip() == "Error: username: 6 to 50 characters"


def test_users_add_shares_an_email_only_with_shared_email(run):
    def add(username, *extra):
        return run(
            "users", "add", "--username", username, "--email", "desk@example.com",
            "--password", "Password1", *extra,
        )  # fmt: skip

    assert add("desk.first").exit_code == 0
    refused = add("desk.second")
    assert refused.exit_code == 2
    assert "Email is already in use (add --shared-email to share it" in refused.output
    added = add("desk.second", "--shared-email")
    assert added.exit_code == 0 and "Created desk.second" in added.output
    assert json.loads(run("users", "show", "desk.second").output)["email"] == "desk@example.com"


def test_users_add_taken_username(run):
    run(
        "users",
        "add",
        "--username",
        "jane.doe1",
        "--email",
        "a@example.com",
        "--password",
        "Password1",
    )
    result = run(
        "users",
        "add",
        "--username",
        "JANE.DOE1",
        "--email",
        "b@example.com",
        "--password",
        "Password1",
    )
    assert result.exit_code == 2 and "already taken" in result.output


def test_users_list_shows_seeded_demo_users(run):
    result = run("users", "list")
    assert "demo.provider" in result.output and "demo.biller" in result.output


def test_lock_unlock_expire_password(run):
    assert run("users", "lock", "demo.provider").exit_code == 0
    assert json.loads(run("users", "show", "demo.provider").output)["locked"] is True
    run("users", "unlock", "demo.provider")
    assert json.loads(run("users", "show", "demo.provider").output)["locked"] is False
    result = run("users", "expire-password", "demo.provider")
    assert "91 days old" in result.output


def test_commands_on_unknown_user_fail_clearly(run):
    for command in ("show", "lock", "unlock", "expire-password"):
        result = run("users", command, "ghost.user")
        assert result.exit_code == 2
        assert result.output.strip() == "Error: no user with One Healthcare ID 'ghost.user'"


def test_delete_asks_and_deletes(run):
    assert run("users", "delete", "demo.biller", input="n\n").exit_code == 2
    assert run("users", "delete", "demo.biller", "--yes").exit_code == 0
    assert run("users", "show", "demo.biller").exit_code == 2


def test_import_csv_with_progress(run, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "username,email,password,first_name,phone,email_verified\n"
        "bulk.one1,one@example.com,Password1,One,6125550101,true\n"
        "bulk.two2,two@example.com,Password2,Two,,false\n"
    )
    result = run("users", "import", str(csv_file))
    assert result.exit_code == 0 and "Imported 2 user(s)" in result.output
    state = json.loads(run("users", "show", "bulk.two2").output)
    assert state["email_verified"] is False
    # An import sends no email unless asked.
    assert "two@example.com" not in run("outbox").output


def test_import_with_send_activation_emails_the_unverified_only(run, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "username,email,password,email_verified\n"
        "bulk.one1,one@example.com,Password1,true\n"
        "bulk.two2,two@example.com,Password2,false\n"
    )
    result = run("users", "import", str(csv_file), "--send-activation")
    assert "Imported 2 user(s); 1 activation email(s) sent" in result.output
    outbox = run("outbox").output
    assert "email to two@example.com (email_activation)" in outbox
    assert "one@example.com" not in outbox


def test_users_add_unverified_sends_the_activation_email_unless_told_not_to(run):
    add = ("users", "add", "--password", "Password1", "--email-unverified")
    sent = run(*add, "--username", "jane.doe1", "--email", "jane@example.com")
    assert "activation email sent" in sent.output
    quiet = run(
        *add, "--username", "john.doe1", "--email", "john@example.com", "--no-send-activation"
    )
    assert quiet.exit_code == 0 and "activation" not in quiet.output
    outbox = run("outbox").output
    assert "email to jane@example.com (email_activation)" in outbox
    assert "john@example.com" not in outbox


def test_import_with_a_bad_row_writes_nothing(run, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "username,email,password\n"
        "good.user1,good@example.com,Password1\n"
        "bad user,bad@example.com,Password1\n"
        "dup.user1,GOOD@example.com,Password1\n"
    )
    result = run("users", "import", str(csv_file))
    assert result.exit_code == 2
    assert "line 3: username: No spaces" in result.output
    assert "line 4: email 'GOOD@example.com' is already in use" in result.output
    assert run("users", "show", "good.user1").exit_code == 2
    skipped = run("users", "import", str(csv_file), "--skip-invalid")
    assert "Imported 1 user(s); skipped 2 bad row(s)" in skipped.output


@pytest.mark.parametrize(
    ("username", "rule"),
    [
        ("jane.d\u043ee1", "No letters with accents"),  # Cyrillic o
        ("jane\u200b.doe1", "No spaces"),
        ("jane\u00a0doe1", "No spaces"),
    ],
)
def test_users_add_refuses_look_alike_and_invisible_characters(run, username, rule):
    result = run(
        "users",
        "add",
        "--username",
        username,
        "--email",
        "j@example.com",
        "--password",
        "Password1",
    )
    assert result.exit_code == 2 and rule in result.output
    assert run("users", "list").output.count("jane") == 0


def test_import_refuses_look_alike_and_invisible_characters(run, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "username,email,password\n"
        "d\u0435mo.one1,one@example.com,Password1\n"
        "demo\u202e.two2,two@example.com,Password1\n",
        encoding="utf-8",
    )
    result = run("users", "import", str(csv_file))
    assert result.exit_code == 2
    assert "line 2: username: No letters with accents" in result.output
    assert "line 3: username: No spaces" in result.output


def test_import_with_bad_header(run, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("user,mail\nx,y\n")
    result = run("users", "import", str(csv_file))
    assert result.exit_code == 2 and "missing column(s): username, email, password" in result.output


def test_clock_advance_set_reset_show(run):
    assert "Advanced 91d" in run("clock", "advance", "91d").output
    assert "2031-05-01T00:00" in run("clock", "set", "2031-05-01T00:00:00Z").output
    assert "offset 0s" in (run("clock", "reset").output and run("clock", "show").output)
    bad = run("clock", "advance", "ninety")
    assert bad.exit_code == 2 and "not a duration" in bad.output
    assert run("clock", "set", "3000-01-01").exit_code == 2


def test_outbox_prints_messages(run):
    run(
        "users",
        "add",
        "--username",
        "jane.doe1",
        "--email",
        "jane@example.com",
        "--password",
        "Password1",
    )
    from idp import create_app
    from idp.delivery.outbox import send_sms
    from idp.store import db

    app = create_app()
    with app.app_context():
        send_sms("+16125550100", "phone_verification", "code", code="123456", minutes=10)
        db.session.commit()
    result = run("outbox", "--channel", "sms")
    assert "sms   to +16125550100 (phone_verification) code=123456" in result.output
    as_json = json.loads(run("outbox", "--json").output.splitlines()[-1])
    assert as_json["code"] == "123456"


@pytest.mark.parametrize(
    "args",
    [
        ("users", "--help"),
        ("users", "import", "--help"),
        ("clock", "advance", "--help"),
        ("outbox", "--help"),
        ("users", "add", "--help"),
    ],
)
def test_every_command_has_help_with_an_example(run, args):
    result = run(*args)
    assert result.exit_code == 0 and "Example:" in result.output


def test_totp_prints_the_current_code(run):
    from idp import create_app
    from idp.lifecycle.accounts import find_by_username
    from idp.qa.factors import add_qa_authenticator
    from idp.store import db

    assert run("totp", "demo.provider").output.strip() == (
        "Error: demo.provider has no authenticator app set up"
    )
    app = create_app()
    with app.app_context():
        secret, _ = add_qa_authenticator(find_by_username("demo.provider"))
        db.session.commit()
    import pyotp

    result = run("totp", "demo.provider")
    code = result.output.split()[0]
    assert result.exit_code == 0 and secret in result.output
    assert pyotp.TOTP(secret).verify(code, valid_window=1)
    assert run("totp", "ghost.user").exit_code == 2


def test_users_list_says_when_it_shows_only_the_newest(run):
    for n in range(3):
        add = ("users", "add", "--password", "Password1", "--username", f"list.user{n}")
        run(*add, "--email", f"list{n}@example.com")
    runner_result = run("users", "list", "--limit", "2")
    assert runner_result.exit_code == 0
    lines = runner_result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["list.user2", "list.user1"]
    total = len(run("users", "list", "--limit", "1000").stdout.splitlines())
    assert f"Showing the newest 2 of {total} users; --limit {total} shows all." in (
        runner_result.stderr
    )
    assert "Showing" not in run("users", "list", "--limit", "1000").stderr


def test_users_factors_adds_and_removes_and_prints_what_was_made(run):
    added = run("users", "factors", "demo.provider", "--totp", "--passkey", "swk")
    assert added.exit_code == 0, added.output
    made = json.loads(added.stdout)
    assert len(made["totp_secret"]) == 32 and made["passkey"]["amr"] == ["swk", "mfa"]
    assert made["mfa"]["authenticators"] == 1 and len(made["mfa"]["passkeys"]) == 1
    removed = run("users", "factors", "demo.provider", "--no-totp", "--passkey", "none")
    assert json.loads(removed.stdout)["mfa"]["passkeys"] == []
    assert "Note: demo.provider has no authenticator app or passkey left" in removed.stderr
    none = run("users", "factors", "demo.provider")
    assert none.exit_code == 2 and "name a factor to add or remove" in none.output
