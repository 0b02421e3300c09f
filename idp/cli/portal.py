"""`mock-ohid users set-claims`, `tokens issue` and `demo`: portal work from a terminal."""

from __future__ import annotations

import json

import click

from .admin import _ready, _user_or_fail, _validation_line, parse_claims_json, users
from .base import AppContext, fail, finish_unit, main


def _custom_value(text: str):
    """A ``--claim NAME=VALUE`` value: JSON when it reads as a JSON scalar, else the text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


@users.command("set-claims")
@click.argument("username")
@click.option("--npi", help="National Provider Identifier: 10 digits with a valid check digit.")
@click.option("--tax-id", "tax_ids", multiple=True, help="A 9-digit Tax ID (repeat, up to 30).")
@click.option("--state", help="Two-letter US state code.")
@click.option("--role")
@click.option("--job-function", "job_functions", multiple=True, help="Repeat for several.")
@click.option("--practice-name", help="Practice or group name.")
@click.option("--provider-type")
@click.option("--claim", "custom", multiple=True, metavar="NAME=VALUE", help="A custom claim.")
@click.option("--unset", multiple=True, metavar="NAME", help="Remove a claim.")
@click.option("--claims", "claims_json", metavar="JSON", help="Claims as a JSON object.")
@click.option("--replace", is_flag=True, help="Drop the claims not given here.")
@click.pass_obj
def users_set_claims(obj: AppContext, username, claims_json, replace, custom, unset, **named):
    """Set a user's portal claims (released to clients by their scope_claims).

    \b
    Example:
      mock-ohid users set-claims demo.provider --npi 1234567893 --tax-id 123456789 \\
        --state MN --role Administrator --claim tier=gold
    """
    from ..errors import ValidationFailed
    from ..lifecycle.portal_claims import set_portal_claims

    claims = parse_claims_json(claims_json) if claims_json else {}
    for name, value in named.items():
        if value:
            claims[name] = list(value) if isinstance(value, tuple) else value
    for item in custom:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--claim: give NAME=VALUE, not {item!r}")
        claims[name] = _custom_value(value)
    for name in unset:
        claims[name] = None
    if not claims and not replace:
        fail("give at least one claim to set (see --help)")
    _ready(obj)
    user = _user_or_fail(username)
    try:
        merged = set_portal_claims(user, claims, replace=replace)
    except ValidationFailed as exc:
        fail(_validation_line(exc))
    finish_unit()
    click.echo(json.dumps(merged, indent=2))


@main.group()
def tokens():
    """Tokens without a browser.

    \b
    Example:
      mock-ohid tokens issue --client-id optum-pro --username demo.provider
    """


@tokens.command("issue")
@click.option("--client-id", required=True)
@click.option("--username", required=True, help="The One Healthcare ID.")
@click.option("--scope", default="openid", show_default=True)
@click.option("--claims", "claims_json", metavar="JSON", help="An OIDC claims request object.")
@click.option("--expires-in", type=int, help="Access token lifetime in seconds.")
@click.option("--acr", help="urn:ohid:loa:1 or urn:ohid:loa:2.")
@click.option("--amr", multiple=True, help="An authentication method (repeat): pwd, otp, mfa…")
@click.option("--nonce")
@click.option(
    "--only",
    type=click.Choice(["id_token", "access_token", "refresh_token"]),
    help="Print this token alone (for shell scripts).",
)
@click.pass_obj
def tokens_issue(obj, client_id, username, scope, claims_json, expires_in, acr, amr, nonce, only):
    """Print what the token endpoint would return after this user signed in to this client.

    \b
    Example:
      mock-ohid tokens issue --client-id optum-connect-claims-online \\
        --username demo.provider --scope "openid profile portal"
    """
    from ..qa.api import QAError
    from ..qa.tokens import issue_for

    body = {"client_id": client_id, "username": username, "scope": scope}
    if claims_json:
        body["claims"] = parse_claims_json(claims_json)
    for name, value in (("expires_in", expires_in), ("acr", acr), ("nonce", nonce)):
        if value is not None:
            body[name] = value
    if amr:
        body["amr"] = list(amr)
    _ready(obj)
    try:
        token = issue_for(body)
    except QAError as exc:
        fail(exc.detail)
    finish_unit()
    if only:
        if only not in token:
            fail(f"no {only} in this response (scope {scope!r})")
        click.echo(token[only])
    else:
        click.echo(json.dumps(token, indent=2))


@main.command()
@click.option(
    "--any-ports",
    is_flag=True,
    help="Take free ports for the issuer and the portals instead of server.port and 5001-5005.",
)
@click.option(
    "--portal",
    "portal_id",
    metavar="CLIENT_ID",
    help="Serve only this demo portal, against an issuer served elsewhere (see --issuer).",
)
@click.option(
    "--issuer",
    metavar="URL",
    help="With --portal: where the portal reaches the identity provider; discovery is "
    "fetched from URL/.well-known/openid-configuration (default: server.issuer).",
)
@click.option("--host", help="With --portal: address to bind (default: 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="With --portal: port to serve on (default: its port in the whole demo, "
    "demo.portal_ports and on).",
)
@click.option(
    "--portal-ports",
    "portal_ports",
    type=click.IntRange(1, 65535 - 4),
    metavar="PORT",
    help="The first portal's port; the other four take the next ones "
    "(default: demo.portal_ports, 5001).",
)
@click.pass_obj
def demo(obj: AppContext, any_ports, portal_ports, portal_id, issuer, host, port):
    """Serve the issuer and the demo portals (Optum Connect, Optum Pro, ...) until Ctrl-C.

    Each portal signs in through One Healthcare ID with Authlib's client, shows
    the claims and portal claims it received, and signs out through end_session;
    the others hear of it by back-channel logout. With no server.issuer set, the
    issuer follows the port it listens on.

    With --portal, only that portal runs, against the issuer at --issuer (in
    compose: another container). Its client must be registered there with
    redirect URI http://localhost:PORT/callback, as the bundled clients.toml does.

    \b
    Example:
      mock-ohid demo
      mock-ohid demo --portal optum-connect-claims-online --issuer http://mock-ohid:8765
      mock-ohid demo --portal-ports 6001
    """
    if portal_ports is not None:
        obj.overrides["demo.portal_ports"] = portal_ports
    if portal_id is not None:
        if any_ports:
            fail("--any-ports does not go with --portal (give --port)")
        _demo_one(obj, portal_id, issuer, host or "127.0.0.1", port)
        return
    if issuer or host or port:
        fail("--issuer, --host and --port go with --portal")
    import signal
    import threading

    from ..demo.portals import PORTALS
    from ..demo.runner import DemoError, bind, serve, start_portals, stop
    from ..settings import load_settings
    from .base import initialize_app, port_note, print_banner, remember_issuer

    if portal_ports is not None:
        obj.overrides["demo.portal_ports"] = portal_ports
    settings = load_settings(config_file=obj.config_file, overrides=obj.overrides)
    host = settings.server.host
    first = 0 if any_ports else settings.demo.portal_ports
    sockets = {}
    try:
        sockets["mock-ohid"] = bind(host, 0 if any_ports else settings.server.port)
        for offset, portal in enumerate(PORTALS):
            sockets[portal.client_id] = bind("127.0.0.1", first + offset if first else 0)
    except DemoError as exc:
        for sock in sockets.values():
            sock.close()
        fail(f"{exc}; try --any-ports or --portal-ports")
    issuer_socket = sockets.pop("mock-ohid")
    # The issuer (unless set) follows the port really bound.
    obj.overrides["server.port"] = issuer_socket.getsockname()[1]
    obj.listening = True
    app = obj.app
    report = initialize_app(app)
    with app.app_context():
        print_banner(app, report)
    port_note(app.extensions["mock_ohid.settings"], issuer_socket.getsockname()[1])
    remember_issuer(app.extensions["mock_ohid.settings"])
    issuer = app.extensions["mock_ohid.settings"].issuer
    served = [serve("mock-ohid", issuer, issuer_socket, app)]
    try:
        served += start_portals(app, sockets)
    except DemoError as exc:
        stop(served)
        fail(str(exc))
    click.echo("Demo portals:")
    for item in served[1:]:
        click.echo(f"  {item.label:24} {item.url}/")
    click.echo("Sign in as demo.provider / Password1. Ctrl-C stops.")
    stopping = threading.Event()
    # Ctrl-C (SIGINT) and SIGTERM both stop every server cleanly.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    # Short waits keep the main thread free to run the signal handlers.
    while not stopping.is_set():
        stopping.wait(0.5)
    stop(served)
    click.echo("Stopped.")


def _wait_for_stop() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM."""
    import signal
    import threading

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    # Short waits keep the main thread free to run the signal handlers.
    while not stopping.is_set():
        stopping.wait(0.5)


def _demo_one(obj: AppContext, portal_id: str, issuer: str | None, host: str, port: int | None):
    from ..demo.portals import PORTALS
    from ..demo.runner import DemoError, bind, serve_portal, stop
    from ..settings import load_settings

    settings = load_settings(config_file=obj.config_file, overrides=obj.overrides)
    first = settings.demo.portal_ports

    def default(portal) -> int:
        # The port it has in the whole demo (demo.portal_ports and on); 0: any free port.
        return first + PORTALS.index(portal) if first else 0

    issuer = (issuer or settings.issuer).rstrip("/")
    try:
        served = serve_portal(settings, portal_id, issuer, lambda p: bind(host, port or default(p)))
    except DemoError as exc:
        fail(str(exc))
    click.echo(f"{served.label} at {served.url}/ (listening on {host}), issuer at {issuer}")
    click.echo("Ctrl-C stops.")
    _wait_for_stop()
    stop([served])
    click.echo("Stopped.")
