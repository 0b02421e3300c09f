"""`mock-ohid users|outbox|clock` commands: the QA surface from a terminal (SPEC §5.2).

They go through the same lifecycle functions as the web and the QA API.
"""

from __future__ import annotations

import json
import time

import click

from ..policy.passwords import MAX_PASSWORD_AGE_DAYS
from .base import AppContext, WholeNumber, fail, finish_unit, main


def _ready(obj: AppContext):
    """Push an app context on a database that exists (created and seeded on first use)."""
    app = obj.app
    context = app.app_context()
    context.push()
    click.get_current_context().call_on_close(context.pop)
    from ..bootstrap import initialize
    from ..store.engine import database_is_new

    # Seed the demo users only into a brand-new database, so a deleted one stays deleted.
    fresh = database_is_new()
    initialize(seed=None if fresh else False)
    return context


def _user_or_fail(username: str):
    from ..lifecycle.accounts import find_by_username

    user = find_by_username(username)
    if user is None:
        fail(f"no user with One Healthcare ID {username!r}")
    return user


def parse_claims_json(text: str) -> dict:
    """A ``--claims`` JSON object, or exit naming the problem."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        fail(f"--claims: not valid JSON ({exc})")
    if not isinstance(value, dict):
        fail("--claims: give a JSON object of claim name -> value")
    return value


def _validation_line(exc) -> str:
    return "; ".join(f"{field}: {', '.join(texts)}" for field, texts in exc.errors.items())


@main.group()
def users():
    """Create, inspect and change One Healthcare IDs.

    \b
    Example:
      mock-ohid users add --username jane.doe1 --email jane@example.com --password Password1
      mock-ohid users lock jane.doe1
    """


@users.command("add")
@click.option("--username", required=True, help="The One Healthcare ID.")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.option("--year-of-birth", type=int)
@click.option("--phone", help="E.164 (+16125550100) or a US number.")
@click.option("--email-verified/--email-unverified", default=True, show_default=True)
@click.option("--phone-verified/--phone-unverified", default=False, show_default=True)
@click.option(
    "--send-activation/--no-send-activation",
    default=True,
    show_default=True,
    help="Email an activation code to an unverified address (as registration does).",
)
@click.option(
    "--claims",
    "claims_json",
    metavar="JSON",
    help='Portal claims as a JSON object, e.g. \'{"npi": "1234567893", "state": "MN"}\'.',
)
@click.option(
    "--shared-email",
    is_flag=True,
    help="Allow an email another One Healthcare ID already uses (a shared address).",
)
@click.pass_obj
def users_add(
    obj,
    username,
    email,
    password,
    first_name,
    last_name,
    year_of_birth,
    phone,
    email_verified,
    phone_verified,
    send_activation,
    claims_json,
    shared_email,
):
    """Add a user through the same rules as "Create One Healthcare ID".

    \b
    Example:
      mock-ohid users add --username jane.doe1 --email jane@example.com --password Password1
    """
    from ..errors import EmailInUse, UsernameTaken, ValidationFailed
    from ..lifecycle.accounts import create_account
    from ..lifecycle.email_verification import send_activation_email
    from ..lifecycle.portal_claims import check_claims, set_portal_claims

    _ready(obj)
    claims = parse_claims_json(claims_json) if claims_json else None
    try:
        if claims is not None:
            # Checked before the account exists, so bad claims leave nothing behind.
            claims = check_claims(claims)
        user = create_account(
            username=username,
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            year_of_birth=year_of_birth,
            phone=phone,
            email_verified=email_verified,
            phone_verified=phone_verified,
            shared_email=shared_email,
        )
        if claims:
            set_portal_claims(user, claims, replace=True)
        sent = not email_verified and send_activation
        if sent:
            send_activation_email(user, enforce_limits=False)
        finish_unit()
    except ValidationFailed as exc:
        fail(_validation_line(exc))
    except EmailInUse as exc:
        fail(f"{exc.text} (add --shared-email to share it with another One Healthcare ID)")
    except UsernameTaken as exc:
        fail(exc.text)
    note = "; activation email sent (mock-ohid outbox)" if sent else ""
    click.echo(f"Created {user.username} ({user.email}){note}")


@users.command("list")
@click.option(
    "--limit",
    type=WholeNumber(1, 100_000, "a number of users"),
    default=50,
    show_default=True,
)
@click.pass_obj
def users_list(obj, limit):
    """List users, newest first.

    \b
    Example:
      mock-ohid users list --limit 10
    """
    from ..store import qa as qa_store

    _ready(obj)
    rows = qa_store.newest_users(limit)
    shown = 0
    for user in rows:
        shown += 1
        flags = [
            name
            for name, on in (
                ("email✓", user.email_verified),
                ("phone✓", user.phone_verified),
                ("locked", user.locked_until is not None),
                ("inactive", user.deactivated_at is not None),
            )
            if on
        ]
        click.echo(f"{user.username:30} {user.email:40} {' '.join(flags)}")
    if shown == limit:
        total = qa_store.count_users()
        if total > shown:
            # On stderr, so a script reading the list reads only users.
            click.echo(
                f"Showing the newest {shown} of {total} users; --limit {total} shows all.",
                err=True,
            )


@users.command("show")
@click.argument("username")
@click.pass_obj
def users_show(obj, username):
    """Show all of a user's state as JSON.

    \b
    Example:
      mock-ohid users show demo.provider
    """
    from ..qa.users import user_state

    _ready(obj)
    click.echo(json.dumps(user_state(_user_or_fail(username)), indent=2))


@users.command("delete")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def users_delete(obj, username, yes):
    """Delete a user and everything hanging on it.

    \b
    Example:
      mock-ohid users delete jane.doe1 --yes
    """
    from ..lifecycle.accounts import delete_account

    _ready(obj)
    user = _user_or_fail(username)
    if not yes and not click.confirm(f"Delete {user.username}?", default=False):
        fail("not deleted")
    delete_account(user)
    finish_unit()
    click.echo(f"Deleted {username}")


def _change(obj, username, changes: dict, done: str):
    from ..errors import ValidationFailed
    from ..lifecycle.account_state import apply_changes

    _ready(obj)
    try:
        apply_changes(_user_or_fail(username), changes)
    except ValidationFailed as exc:
        fail(_validation_line(exc))
    finish_unit()
    click.echo(done)


@users.command("expire-password")
@click.argument("username")
@click.option(
    "--days",
    type=WholeNumber(0, MAX_PASSWORD_AGE_DAYS, "a number of days"),
    default=91,
    show_default=True,
    help="How old the password becomes.",
)
@click.pass_obj
def users_expire_password(obj, username, days):
    """Make a user's password old enough to be expired (91 days by default).

    \b
    Example:
      mock-ohid users expire-password demo.provider
    """
    _change(
        obj, username, {"password_age_days": days}, f"{username}'s password is now {days} days old"
    )


@users.command("lock")
@click.argument("username")
@click.pass_obj
def users_lock(obj, username):
    """Lock an account as if it had too many failed sign-ins.

    \b
    Example:
      mock-ohid users lock demo.provider
    """
    _change(obj, username, {"locked": True}, f"Locked {username}")


@users.command("unlock")
@click.argument("username")
@click.pass_obj
def users_unlock(obj, username):
    """Unlock an account and clear its failed sign-ins.

    \b
    Example:
      mock-ohid users unlock demo.provider
    """
    _change(obj, username, {"locked": False}, f"Unlocked {username}")


@users.command("factors")
@click.argument("username")
@click.option("--totp/--no-totp", default=None, help="Add an authenticator app / remove all.")
@click.option(
    "--passkey",
    type=click.Choice(["hwk", "swk", "none"]),
    help="Add a device-bound (hwk) or synced (swk) passkey; none removes every passkey.",
)
@click.option("--recovery-code/--no-recovery-code", default=None, help="A new one / none.")
@click.option(
    "--security-answers/--no-security-answers",
    default=None,
    help="Three questions with known answers (Rex, Duluth, Saab) / none.",
)
@click.option(
    "--remembered-device/--no-remembered-devices",
    "remembered_devices",
    default=None,
    help="Remember a new browser (its cookie is printed) / forget every one.",
)
@click.pass_obj
def users_factors(
    obj, username, totp, passkey, recovery_code, security_answers, remembered_devices
):
    """Add or remove a user's sign-in factors; prints what was made as JSON.

    \b
    Example:
      mock-ohid users factors demo.provider --totp --passkey swk
      mock-ohid users factors demo.provider --no-totp --passkey none
    """
    from ..qa.api import QAError
    from ..qa.factors import apply_factors, check_factors
    from ..qa.users import user_state

    _ready(obj)
    user = _user_or_fail(username)
    wanted = {
        "totp": totp,
        "passkey": None if passkey is None else (False if passkey == "none" else passkey),
        "recovery_code": recovery_code,
        "security_answers": security_answers,
        "remembered_devices": remembered_devices,
    }
    wanted = {k: v for k, v in wanted.items() if v is not None}
    if not wanted:
        fail("name a factor to add or remove (see 'mock-ohid users factors --help')")
    try:
        wanted = check_factors(wanted)
    except QAError as exc:
        fail(exc.detail)
    made = apply_factors(user, wanted, creating=False)
    finish_unit()
    for note in made.pop("notes", []):
        click.echo(f"Note: {note}", err=True)
    state = user_state(user)
    click.echo(json.dumps({"username": user.username, "mfa": state["mfa"], **made}, indent=2))


@users.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows, report the bad ones.")
@click.option(
    "--send-activation",
    is_flag=True,
    help="Email an activation code to each imported user whose email is not verified.",
)
@click.pass_obj
def users_import(obj, csv_file, skip_invalid, send_activation):
    """Import users from a CSV file with a header row.

    \b
    Columns: username,email,password (required), first_name, last_name,
    year_of_birth, phone, email_verified, phone_verified (true/false).
    Nothing is written if any row is bad, unless --skip-invalid. No email is
    sent unless --send-activation.
    Example:
      mock-ohid users import people.csv
    """
    from ..lifecycle.bulk_import import import_accounts, read_rows

    _ready(obj)
    rows, problems = read_rows(csv_file)
    if problems:
        fail(f"{csv_file.name}: {'; '.join(problems)}")
    with click.progressbar(length=len(rows), label="Importing users") as bar:
        report = import_accounts(
            rows, skip_invalid=skip_invalid, progress=bar.update, send_activation=send_activation
        )
    finish_unit()
    for line in report.errors[:20]:
        click.echo(line, err=True)
    if len(report.errors) > 20:
        click.echo(f"... and {len(report.errors) - 20} more", err=True)
    if report.errors and not skip_invalid:
        fail(f"{report.bad_rows} bad row(s) of {len(rows)}; nothing imported")
    finish_unit()
    skipped = f"; skipped {report.bad_rows} bad row(s)" if report.bad_rows else ""
    sent = f"; {report.activations_sent} activation email(s) sent" if send_activation else ""
    click.echo(f"Imported {report.created} user(s){skipped}{sent}")


def _format_message(message) -> str:
    head = (
        f"[{message.created_at:%Y-%m-%d %H:%M:%S}] {message.channel:5} to {message.to} "
        f"({message.purpose})"
    )
    extra = f" code={message.code}" if message.code else ""
    text = (
        message.subject or message.body.splitlines()[0] if (message.subject or message.body) else ""
    )
    return f"{head}{extra}\n    {text}" + (f"\n    {message.link}" if message.link else "")


@main.command()
@click.option("--to", help="Only messages to this address or number.")
@click.option("--channel", type=click.Choice(["email", "sms", "voice"]))
@click.option(
    "--limit",
    type=WholeNumber(1, 100_000, "a number of messages"),
    default=20,
    show_default=True,
)
@click.option("--follow", is_flag=True, help="Keep printing new messages (Ctrl+C to stop).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def outbox(obj, to, channel, limit, follow, as_json):
    """Print the emails, texts and calls the mock has "sent".

    \b
    Example:
      mock-ohid outbox --channel sms
      mock-ohid outbox --follow
    """
    from ..qa.operations import find_messages
    from ..store.units import abandon_unit

    _ready(obj)

    def show(message):
        click.echo(json.dumps(message.as_dict()) if as_json else _format_message(message))

    recent = find_messages(to=to, channel=channel, limit=limit)
    for message in reversed(recent):
        show(message)
    last_id = recent[0].id if recent else 0
    while follow:
        try:
            time.sleep(1)
        except KeyboardInterrupt:
            break
        # Nothing was written: a new transaction sees the messages sent meanwhile.
        abandon_unit()
        for message in find_messages(
            to=to, channel=channel, after_id=last_id, limit=None, newest_first=False
        ):
            show(message)
            last_id = message.id


@main.group()
def clock():
    """Move the server's clock for every time rule (expiry, lockout, codes, tokens).

    \b
    Example:
      mock-ohid clock advance 91d
      mock-ohid clock reset
    """


def _move_clock(obj, describe: str, move, *args):
    from ..qa.operations import QAInputError

    _ready(obj)
    try:
        state = move(*args)
    except QAInputError as exc:
        fail(str(exc))
    finish_unit()
    click.echo(f"{describe}: now {state['now']}")


@clock.command("advance")
@click.argument("duration")
@click.pass_obj
def clock_advance(obj, duration):
    """Move the clock forward (e.g. 91d, 30m, 12h, 45s; negative goes back).

    \b
    Example:
      mock-ohid clock advance 91d
    """
    from ..qa.operations import advance_clock

    _move_clock(obj, f"Advanced {duration}", advance_clock, duration)


@clock.command("set")
@click.argument("instant")
@click.pass_obj
def clock_set(obj, instant):
    """Jump the clock to an ISO-8601 instant (UTC when no offset is given).

    \b
    Example:
      mock-ohid clock set 2027-03-01T09:00:00Z
    """
    from ..qa.operations import set_clock

    _move_clock(obj, "Set", set_clock, instant)


@clock.command("reset")
@click.pass_obj
def clock_reset(obj):
    """Back to real time.

    \b
    Example:
      mock-ohid clock reset
    """
    from ..qa.operations import reset_clock

    _move_clock(obj, "Reset", reset_clock)


@clock.command("show")
@click.pass_obj
def clock_show(obj):
    """Print the server's current time and offset.

    \b
    Example:
      mock-ohid clock show
    """
    from ..extensions import get_clock

    _ready(obj)
    current = get_clock()
    click.echo(f"now {current.now().isoformat()} (offset {current.offset.total_seconds():.0f}s)")


@main.command()
@click.argument("username")
@click.pass_obj
def totp(obj, username):
    """Print the current code of a user's authenticator app (and its secret).

    \b
    Example:
      mock-ohid totp demo.provider
    """
    from ..lifecycle.authenticators import confirmed_authenticators, current_code

    _ready(obj)
    user = _user_or_fail(username)
    authenticators = confirmed_authenticators(user)
    if not authenticators:
        fail(f"{user.username} has no authenticator app set up")
    newest = authenticators[-1]
    click.echo(f"{current_code(newest)}  (secret {newest.secret})")
