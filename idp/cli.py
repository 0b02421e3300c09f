"""The ``mock-ohid`` command line (click)."""

from __future__ import annotations

import os
import sys

import click

from .settings import SettingsError


class AppContext:
    """Lazily builds the app from --config and the environment."""

    def __init__(self, config_file: str | None, overrides: dict):
        self.config_file = config_file
        self.overrides = overrides
        self._app = None

    @property
    def app(self):
        if self._app is None:
            from . import create_app

            self._app = create_app(overrides=self.overrides, config_file=self.config_file)
        return self._app


def fail(message: str) -> None:
    """Exit non-zero with one clear line."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


class MockOhidGroup(click.Group):
    """Turns expected errors (bad settings and such) into one line and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "))


@click.group(cls=MockOhidGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="MOCK_OHID_CONFIG",
    help="A TOML file layered over config/default.toml.",
)
@click.pass_context
def main(ctx, config_file):
    """mock-ohid: a mock of One Healthcare ID, a real OpenID Connect provider.

    \b
    Example:
      mock-ohid serve
      mock-ohid --config my.toml serve --port 9000
    """
    ctx.obj = AppContext(config_file, {})


def _print_banner(app, report) -> None:
    settings = app.extensions["mock_ohid.settings"]
    click.echo(f"mock-ohid issuer: {settings.issuer}")
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


def initialize_app(app):
    from .bootstrap import initialize

    with app.app_context():
        return initialize()


@main.command()
@click.pass_obj
def init(obj: AppContext):
    """Create the database, signing keys, clients and demo users, then exit.

    \b
    Example:
      mock-ohid init
    """
    report = initialize_app(obj.app)
    with obj.app.app_context():
        _print_banner(obj.app, report)


@main.command()
@click.option("--host", help="Address to bind (default: server.host).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: server.port).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Run under gunicorn with this many worker processes when above 1.",
)
@click.pass_obj
def serve(obj: AppContext, host, port, workers):
    """Serve the identity provider.

    \b
    Example:
      mock-ohid serve
      mock-ohid serve --port 9000 --workers 4
    """
    if host:
        obj.overrides["server.host"] = host
    if port is not None:
        obj.overrides["server.port"] = port
    app = obj.app
    report = initialize_app(app)
    settings = app.extensions["mock_ohid.settings"]
    bind_host, bind_port = settings["server.host"], settings["server.port"]
    with app.app_context():
        _print_banner(app, report)
    click.echo(f"Listening on http://{bind_host}:{bind_port} (Ctrl+C to stop)")
    if workers > 1:
        _serve_gunicorn(obj, bind_host, bind_port, workers)
    else:
        from werkzeug.serving import run_simple

        run_simple(bind_host, bind_port, app, threaded=True, use_reloader=False)


def _serve_gunicorn(obj: AppContext, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    config_file, overrides = obj.config_file, dict(obj.overrides)

    class MockOhidServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")

        def load(self):
            from . import create_app

            # Each worker builds its own app (and database engine) after the fork.
            return create_app(overrides=overrides, config_file=config_file)

    os.environ.setdefault("SERVER_SOFTWARE", "gunicorn")
    MockOhidServer().run()


# The QA commands register themselves on `main`.
from . import cli_admin  # noqa: E402, F401

if __name__ == "__main__":
    main()
