"""The ``mock-ohid`` group and what every command shares: the lazily built app,
one-line errors, start-up (tables, keys, clients, demo users) and its banner.

The commands live in ``serve`` (serve, init, keys, clients), ``admin`` (users,
outbox, clock, totp) and ``portal`` (tokens, claims, demo); each imports
this module, and ``cli`` gathers them.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click

from ..settings import SettingsError

SERVED_ISSUER = "served-issuer"


class AppContext:
    """Lazily builds the app from --config and the environment."""

    def __init__(self, config_file: str | None, overrides: dict):
        self.config_file = config_file
        self.overrides = overrides
        # serve and demo bind a port; the other commands act for the server that did.
        self.listening = False
        self._app = None

    @property
    def app(self):
        if self._app is None:
            from .. import create_app

            overrides, served = self.overrides, None
            if not self.listening:
                served = served_issuer(self.config_file, self.overrides)
                if served is not None:
                    overrides = {**overrides, "server.issuer": served[0]}
            self._app = create_app(overrides=overrides, config_file=self.config_file)
            if served is not None:
                self._app.extensions["mock_ohid.settings"].origins["server.issuer"] = served[1]
        return self._app


class WholeNumber(click.ParamType):
    """A whole number from ``low`` to ``high``; a bad value is named with what it counts."""

    name = "number"

    def __init__(self, low: int, high: int, what: str):
        self.low, self.high, self.what = low, high, what

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(
                    f"{str(value)[:40]!r} is not a whole number; {self._range()}.", param, ctx
                )
        if not self.low <= number <= self.high:
            self.fail(f"{number} is out of range; {self._range()}.", param, ctx)
        return number

    def _range(self) -> str:
        return f"give {self.what} from {self.low} to {self.high}"


def remember_issuer(settings) -> None:
    """Record the issuer `serve` or `demo` advertises (its port may have come from a
    flag), so that the other commands on this folder (tokens issue, activation links)
    speak for the same issuer."""
    folder = settings.path(settings.server.instance_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SERVED_ISSUER).write_text(settings.issuer + "\n")


def served_issuer(config_file, overrides) -> tuple[str, str] | None:
    """(issuer, file) recorded by the last `serve` here, when no issuer is set."""
    from urllib.parse import urlsplit

    from ..settings import load_settings

    try:
        settings = load_settings(config_file=config_file, overrides=overrides)
    except SettingsError:
        return None
    path = settings.path(settings.server.instance_dir) / SERVED_ISSUER
    if not settings.issuer_is_derived or not path.is_file():
        return None
    issuer = path.read_text().strip()
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname or issuer.endswith("/"):
        return None
    return issuer, f"from the last serve here ({path})"


def fail(message: str) -> None:
    """Exit non-zero with one clear line."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def finish_unit() -> None:
    """Commit the command's unit of work before it reports what it did (a failed
    commit then ends in its one-line error, not after a success line)."""
    from ..store.units import finish_unit as finish

    finish()


def _database_problem(exc) -> str:
    """One line for a database that cannot be opened, reached or written."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"database: {reason}"


class UnitCommand(click.Command):
    """A command whose database work is one unit of work: committed when the command
    returns, dropped when it fails (a one-line error exits too)."""

    def invoke(self, ctx):
        from flask import has_app_context

        try:
            result = super().invoke(ctx)
        except BaseException:
            if has_app_context():
                from ..store.units import abandon_unit

                abandon_unit()
            raise
        if has_app_context():
            from ..store.units import finish_unit

            finish_unit()
        return result


class CommandGroup(click.Group):
    """A group of commands, each one unit of work."""

    command_class = UnitCommand
    group_class = type


class MockOhidGroup(click.Group):
    """Turns errors into one line on stderr and a non-zero exit; ``--debug`` shows tracebacks."""

    command_class = UnitCommand
    group_class = CommandGroup

    def invoke(self, ctx):
        from ..oidc.keys import KeyError_
        from ..store.engine import DatabaseError
        from ..store.migrate import SchemaRefused

        if ctx.params.get("debug"):
            return super().invoke(ctx)
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # One line rather than click's usage block; --help still shows it all.
            where = exc.ctx.command_path if exc.ctx else "mock-ohid"
            fail(f"{exc.format_message()} (see '{where} --help')")
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (SettingsError, KeyError_, SchemaRefused) as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "))
        except DatabaseError as exc:
            fail(_database_problem(exc))
        except Exception as exc:  # noqa: BLE001 - the last guard: one line, never a traceback
            fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)")


@click.group(cls=MockOhidGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(),
    envvar="MOCK_OHID_CONFIG",
    help="A TOML file layered over config/default.toml.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def main(ctx, config_file, debug):
    """mock-ohid: a mock of One Healthcare ID, a real OpenID Connect provider.

    \b
    Example:
      mock-ohid serve
      mock-ohid --config my.toml serve --port 9000
    """
    ctx.obj = AppContext(config_file, {})


def print_banner(app, report) -> None:
    settings = app.extensions["mock_ohid.settings"]
    click.echo(f"mock-ohid issuer: {settings.issuer}  ({settings.issuer_origin()})")
    click.echo(f"  discovery: {settings.issuer}/.well-known/openid-configuration")
    if settings.issuer_host_is_ip:
        click.echo(
            "  warning: the issuer host is an IP address; browsers refuse it as a WebAuthn "
            "rp id, so passkeys will not work. Use http://localhost instead.",
        )
    click.echo("Demo clients:")
    for client in report.clients:
        kind = "public, PKCE" if client.auth_method == "none" else client.auth_method
        click.echo(f"  {client.client_id:32} {client.client_name} ({kind})")
    if report.demo_users:
        click.echo("Demo users (One Healthcare ID / password):")
        for user in report.demo_users:
            click.echo(f"  {user.username:20} {user.password:12} {user.email}")
    click.echo(f"QA inbox: {settings.issuer}/_qa/inbox")


def port_note(settings, bound_port: int) -> None:
    """One line when a set issuer names another port than the one bound (fine behind a proxy)."""
    from urllib.parse import urlsplit

    if settings.issuer_is_derived:
        return
    parts = urlsplit(settings.issuer)
    named = parts.port or (443 if parts.scheme == "https" else 80)
    if named != bound_port:
        click.echo(
            f"Note: the issuer names port {named} but the server listens on {bound_port}; "
            "fine behind a proxy or a published port, otherwise unset server.issuer."
        )


def early_seed_hashes(obj: AppContext):
    """On an SQLite file that does not exist yet every demo user will be made: start
    hashing their passwords now, beside the building of the app. None otherwise.

    Anything wrong (a bad setting or seed file) is left for create_app and
    initialize to report.
    """
    from pathlib import Path

    from ..crypto.hashing import PasswordHashing
    from ..seed_file import hash_in_background, read_seed_file, seed_path
    from ..settings import load_settings
    from ..store.engine import sqlite_file

    try:
        settings = load_settings(config_file=obj.config_file, overrides=obj.overrides)
        database = sqlite_file(settings.database.url)
        if (
            not settings.users.seed
            or database is None
            or str(database).startswith("file:")
            or (Path.cwd() / database).exists()
        ):
            return None
        entries = read_seed_file(seed_path(settings))
        hashing = PasswordHashing(settings.security.password_hash_profile)
    except Exception:  # noqa: BLE001 - reported by the start-up that follows
        return None
    passwords = {str(entry.get("password", "")) for entry in entries if entry.get("password")}
    return hash_in_background(hashing, passwords) if passwords else None


def initialize_app(app, keys_in_background: bool = False, hashes=None):
    from ..bootstrap import initialize

    with app.app_context():
        return initialize(keys_in_background=keys_in_background, hashes=hashes)


@contextmanager
def app_with_tables(obj: AppContext):
    """An app context on a database at the current schema (no seeding); what the block
    writes is one unit of work."""
    from ..store.engine import schema_to_head
    from ..store.units import unit_of_work

    with obj.app.app_context():
        schema_to_head()
        with unit_of_work():
            yield obj.app
