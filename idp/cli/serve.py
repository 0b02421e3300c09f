"""``mock-ohid`` serve, init, keys and clients: starting the IdP and its registrations."""

from __future__ import annotations

import os

import click

from .base import (
    AppContext,
    app_with_tables,
    early_seed_hashes,
    fail,
    finish_unit,
    initialize_app,
    main,
    port_note,
    print_banner,
    remember_issuer,
)

# Seconds gunicorn keeps an idle kept-alive connection (see _serve_gunicorn).
KEEPALIVE_SECONDS = 5


@main.command()
@click.pass_obj
def init(obj: AppContext):
    """Create the database, signing keys, clients and demo users, then exit.

    \b
    Example:
      mock-ohid init
    """
    hashes = early_seed_hashes(obj)
    report = initialize_app(obj.app, hashes=hashes)
    with obj.app.app_context():
        print_banner(obj.app, report)


@main.command()
@click.option("--host", help="Address to bind (default: server.host).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port (default: server.port; 0: any free port). The issuer follows it unless set.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (gunicorn; where there is no fork, one waitress process).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Threads per worker (requests waiting on the database overlap).",
)
@click.option(
    "--https",
    "https",
    is_flag=True,
    default=None,
    help="Serve HTTPS with a certificate from a local CA made once in the keys folder.",
)
@click.option(
    "--cert",
    type=click.Path(dir_okay=False),
    help="Serve HTTPS with this PEM certificate (and chain) of your own; needs --key.",
)
@click.option("--key", type=click.Path(dir_okay=False), help="The private key of --cert (PEM).")
@click.pass_obj
def serve(obj: AppContext, host, port, workers, threads, https, cert, key):
    """Serve the identity provider.

    With no server.issuer set, the issuer is http://localhost:PORT on the port
    the server is bound to (https:// with --https).

    \b
    Example:
      mock-ohid serve
      mock-ohid serve --port 9000 --workers 4
      mock-ohid serve --https
    """
    from ..serving import ListenError, bind, url_host
    from ..settings import load_settings

    if bool(cert) != bool(key):
        fail("--cert and --key go together (a certificate and its private key)")
    for name, value in (
        ("server.host", host),
        ("server.port", port),
        ("server.https", True if https else None),
        ("server.tls_cert", cert),
        ("server.tls_key", key),
    ):
        if value is not None:
            obj.overrides[name] = value
    settings = load_settings(config_file=obj.config_file, overrides=obj.overrides)
    if _engine(settings) == "waitress":
        if settings.tls:
            fail(
                "HTTPS needs gunicorn, which runs where there is fork (Linux, macOS, WSL); "
                "on Windows use WSL or the container image"
            )
        if workers > 1:
            fail("--workers needs gunicorn (Linux, macOS, WSL); waitress serves one process")
    try:
        listener = bind(settings.server.host, settings.server.port)
    except ListenError as exc:
        fail(str(exc))
    # Every setting from here on sees the port really bound (--port 0 included).
    obj.overrides["server.port"] = listener.port
    obj.listening = True
    hashes = early_seed_hashes(obj)
    app = obj.app
    settings = app.extensions["mock_ohid.settings"]
    remember_issuer(settings)
    tls = _tls_files(settings) if settings.tls else None
    # One waitress process answers while its signing keys are made (uses of them wait);
    # gunicorn forks its workers after the keys exist.
    report = initialize_app(app, keys_in_background=_engine(settings) == "waitress", hashes=hashes)
    with app.app_context():
        print_banner(app, report)
    port_note(settings, listener.port)
    if tls is not None:
        _print_tls(tls)
        if tls.ca is not None:
            _trust_own_ca(tls.ca)
    scheme = "https" if tls else "http"
    click.echo(
        f"Listening on {scheme}://{url_host(listener.host)}:{listener.port} (Ctrl+C to stop)"
    )
    if _engine(settings) == "gunicorn":
        _serve_gunicorn(obj, listener, workers, threads, tls)
    else:
        from ..serving import serve_waitress

        serve_waitress(app, listener, threads)


def _engine(settings) -> str:
    """gunicorn where processes fork, waitress elsewhere, unless server.engine names one."""
    from ..serving import can_fork

    chosen = settings.server.engine
    if chosen == "auto":
        return "gunicorn" if can_fork() else "waitress"
    if chosen == "gunicorn" and not can_fork():
        fail("server.engine: gunicorn needs fork (Linux, macOS, WSL); use auto or waitress")
    return chosen


def _tls_files(settings):
    """The certificate and key to serve: one's own, or the local CA's (made when missing)."""
    from urllib.parse import urlsplit

    from ..local_ca import ServerCertificate, ensure_server_certificate

    if settings.server.tls_cert:
        cert, key = settings.path(settings.server.tls_cert), settings.path(settings.server.tls_key)
        for label, path in (("certificate", cert), ("key", key)):
            if not path.is_file():
                fail(f"TLS {label} not found: {path}")
        return ServerCertificate(cert, key, ca=None, names=(), made_ca=False)
    return ensure_server_certificate(
        settings.path(settings.keys.dir), urlsplit(settings.issuer).hostname
    )


def _trust_own_ca(ca) -> None:
    """The server's own HTTPS calls (the debugger to its issuer, a portal on localhost
    with a certificate from the same CA) trust the local CA beside the usual ones."""
    import certifi

    bundle = ca.parent / "trust-bundle.pem"
    base = (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or certifi.where()
    )
    with open(base) as handle:
        usual = handle.read()
    bundle.write_text(usual.rstrip("\n") + "\n" + ca.read_text())
    os.environ["REQUESTS_CA_BUNDLE"] = os.environ["SSL_CERT_FILE"] = str(bundle)


def _print_tls(tls) -> None:
    from ..local_ca import trust_instructions

    if tls.ca is None:
        click.echo(f"HTTPS with your certificate {tls.cert}")
        return
    made = "made now" if tls.made_ca else "made earlier"
    click.echo(f"HTTPS: a certificate for {', '.join(tls.names)} from the local CA ({made}):")
    click.echo(f"  CA certificate: {tls.ca}  (it can sign for these names only)")
    click.echo("  Trust it once, where your browser and portal run ('mock-ohid ca' prints it):")
    for line in trust_instructions(tls.ca):
        click.echo(line)


def _serve_gunicorn(obj: AppContext, listener, workers: int, threads: int, tls) -> None:
    from gunicorn.app.base import BaseApplication

    config_file, overrides = obj.config_file, dict(obj.overrides)
    fd = listener.sock.detach()

    class MockOhidServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", [f"fd://{fd}"])
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "idp.http_worker.WholeRequestWorker")
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", "idp.access_log.AccessLog")
            # SIGTERM (Ctrl+C, `podman stop`): requests in flight get this long to finish.
            self.cfg.set("graceful_timeout", 5)
            # Idle kept-alive connections stay open longer than clients keep them: Node's
            # fetch (undici, used by openid-client) reuses one for 4 s, and a server that
            # closes first (gunicorn's default is 2 s) fails a request sent as it closes.
            self.cfg.set("keepalive", KEEPALIVE_SECONDS)
            # No control socket in the home folder: servers side by side would share it.
            self.cfg.set("control_socket_disable", True)
            if tls is not None:
                self.cfg.set("certfile", str(tls.cert))
                self.cfg.set("keyfile", str(tls.key))

        def load(self):
            from .. import create_app

            # Each worker builds its own app (and database engine) after the fork.
            return create_app(overrides=overrides, config_file=config_file)

    os.environ.setdefault("SERVER_SOFTWARE", "gunicorn")
    MockOhidServer().run()


@main.command()
@click.pass_obj
def ca(obj: AppContext):
    """Print the local CA's certificate (PEM) that `serve --https` uses, for scripts.

    The CA is made (once, in the keys folder) by the first `serve --https`, or here.

    \b
    Example:
      mock-ohid ca > mock-ohid-ca.pem
      REQUESTS_CA_BUNDLE=mock-ohid-ca.pem python my_portal.py
    """
    from urllib.parse import urlsplit

    from ..local_ca import ensure_server_certificate
    from ..settings import load_settings

    settings = load_settings(config_file=obj.config_file, overrides=obj.overrides)
    host = None if settings.issuer_is_derived else urlsplit(settings.issuer).hostname
    tls = ensure_server_certificate(settings.path(settings.keys.dir), host)
    click.echo(tls.ca.read_text(), nl=False)


# --- keys and clients ---


@main.group()
def keys():
    """Signing keys in the keys folder (published at /.well-known/jwks.json).

    \b
    Example:
      mock-ohid keys list
      mock-ohid keys rotate
    """


def _print_key(key, moment) -> None:
    if key.retires_at is None:
        status = "signing"
    elif key.retires_at > moment:
        status = f"retiring {key.retires_at.isoformat(timespec='seconds')}"
    else:
        status = "retired (no longer published)"
    created = key.created_at.isoformat(timespec="seconds")
    click.echo(f"  {key.kid:32} {key.alg:6} created {created}  {status}")


@keys.command("list")
@click.pass_obj
def keys_list(obj: AppContext):
    """List every key: signing, retiring (still published) or retired.

    \b
    Example:
      mock-ohid keys list
    """
    from ..extensions import get_clock, get_key_store

    with app_with_tables(obj):
        store, moment = get_key_store(), get_clock().now()
        found = store.keys()
        if not found:
            click.echo(f"No keys in {store.directory}; run: mock-ohid keys generate")
            return
        click.echo(f"Keys in {store.directory}:")
        for key in found:
            _print_key(key, moment)


@keys.command("generate")
@click.pass_obj
def keys_generate(obj: AppContext):
    """Create a signing key for each algorithm (RS256, ES256) that has none.

    \b
    Example:
      mock-ohid keys generate
    """
    from ..extensions import get_clock, get_key_store

    with app_with_tables(obj):
        store, moment = get_key_store(), get_clock().now()
        made = store.ensure_keys(moment)
        if not made:
            click.echo("Every algorithm already has a signing key (use 'keys rotate' to replace).")
        for key in made:
            click.echo(f"Generated {key.alg} key {key.kid}")


@keys.command("rotate")
@click.option(
    "--alg",
    type=click.Choice(["RS256", "ES256"]),
    default="RS256",
    show_default=True,
    help="Which algorithm's key to replace.",
)
@click.option(
    "--retire-after-hours",
    type=click.IntRange(0, 24 * 365),
    help="How long the old key stays published (default: keys.retire_after_hours).",
)
@click.pass_obj
def keys_rotate(obj: AppContext, alg, retire_after_hours):
    """Sign with a new key from now on; keep the old one published until it retires.

    Running servers (every worker) pick the new key up without a restart.

    \b
    Example:
      mock-ohid keys rotate
      mock-ohid keys rotate --alg ES256 --retire-after-hours 1
    """
    from datetime import timedelta

    from ..extensions import get_clock, get_key_store, get_settings

    with app_with_tables(obj):
        store, moment = get_key_store(), get_clock().now()
        hours = (
            retire_after_hours
            if retire_after_hours is not None
            else get_settings().keys.retire_after_hours
        )
        current = store.keys()
        old = [k for k in current if k.alg == alg and k.retires_at is None]
        new_key = store.rotate(alg, moment, timedelta(hours=hours))
        click.echo(f"New {alg} signing key: {new_key.kid}")
        for key in old:
            retires = (moment + timedelta(hours=hours)).isoformat(timespec="seconds")
            click.echo(f"  {key.kid} stops signing and stays in the JWKS until {retires}")


@main.group()
def clients():
    """Client (portal) registrations kept in the database.

    \b
    Example:
      mock-ohid clients list
      mock-ohid clients add --id my-portal --redirect-uri http://localhost:3000/callback
    """


@clients.command("list")
@click.pass_obj
def clients_list(obj: AppContext):
    """List the registered clients.

    \b
    Example:
      mock-ohid clients list
    """
    from ..store import oauth as oauth_store

    with app_with_tables(obj):
        found = oauth_store.all_clients()
        if not found:
            click.echo("No clients registered; run: mock-ohid init")
            return
        for client in found:
            flags = [client.token_endpoint_auth_method, client.source]
            if client.trusted:
                flags.append("trusted")
            click.echo(f"{client.client_id:36} {client.client_name} ({', '.join(flags)})")
            for uri in client.redirect_uris:
                click.echo(f"    redirect_uri             {uri}")
            for uri in client.post_logout_redirect_uris:
                click.echo(f"    post_logout_redirect_uri {uri}")
            for origin in client.client_metadata.get("allowed_origins", []):
                click.echo(f"    allowed_origin           {origin}")


def _read_jwks(path: str | None):
    if path is None:
        return None
    import json

    try:
        with open(path) as handle:
            return json.load(handle)
    except ValueError as exc:
        fail(f"--jwks-file: {path} is not JSON ({exc})")


def _access_token_options(function):
    """The options add and update share for access tokens and resource servers."""
    for option in reversed(
        [
            click.option(
                "--access-token-format",
                type=click.Choice(["jwt", "opaque"]),
                help="JWT (RFC 9068) or opaque access tokens "
                "(default: tokens.access_token_format).",
            ),
            click.option(
                "--access-token-typ",
                type=click.Choice(["at+jwt", "JWT"]),
                help="The JWT access token's typ header (JWT for Spring's default decoder).",
            ),
            click.option(
                "--access-token-audience",
                "access_token_audiences",
                multiple=True,
                help="The access token's aud (repeatable; default: the client_id).",
            ),
            click.option(
                "--default-scopes",
                help='Scopes added to its OpenID Connect requests ("" for none; '
                "default: clients.default_scopes).",
            ),
            click.option(
                "--introspect-any/--no-introspect-any",
                default=None,
                help="A resource server: may introspect every client's tokens.",
            ),
            click.option(
                "--resource-server",
                "resource_servers",
                multiple=True,
                help="A client id that may introspect this client's tokens (repeatable).",
            ),
        ]
    ):
        function = option(function)
    return function


def _access_token_fields(
    access_token_format, access_token_typ, access_token_audiences, default_scopes, introspect_any
) -> dict:
    audiences = list(access_token_audiences)
    return {
        "access_token_format": access_token_format,
        "access_token_typ": access_token_typ,
        "access_token_audience": (audiences[0] if len(audiences) == 1 else audiences) or None,
        "default_scopes": default_scopes.split() if default_scopes is not None else None,
        "introspect_any": introspect_any,
    }


@clients.command("add")
@click.option("--id", "client_id", required=True, help="The client_id.")
@click.option("--name", help="Shown on the consent screen (default: the client_id).")
@click.option(
    "--redirect-uri", "redirect_uris", multiple=True, required=True, help="Repeat for several."
)
@click.option("--post-logout-redirect-uri", "logout_uris", multiple=True, help="Repeatable.")
@click.option(
    "--auth-method",
    type=click.Choice(["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]),
    default="client_secret_basic",
    show_default=True,
    help="Token endpoint authentication; 'none' is a public client with PKCE.",
)
@click.option("--secret", help="The client secret (generated and shown once when omitted).")
@click.option(
    "--strict-auth-method",
    is_flag=True,
    help="Take the secret only as --auth-method says (by default Basic and body both work).",
)
@click.option(
    "--grant-type",
    "grant_types",
    multiple=True,
    type=click.Choice(["authorization_code", "refresh_token", "client_credentials"]),
    help="Repeatable (default: authorization_code and refresh_token).",
)
@click.option("--scope", help="Limit the scopes it may ask for (space-separated).")
@click.option("--trusted", is_flag=True, help="Skip the consent screen for this client.")
@click.option("--require-phone", is_flag=True, help="Users must have a verified phone.")
@click.option("--backchannel-logout-uri", help="Where logout tokens are POSTed.")
@click.option(
    "--id-token-alg",
    type=click.Choice(["RS256", "ES256"]),
    default="RS256",
    show_default=True,
    help="ID token signing algorithm.",
)
@click.option("--jwks-file", type=click.Path(dir_okay=False), help="JWKS file (private_key_jwt).")
@click.option("--jwks-uri", help="JWKS URL of the client (private_key_jwt; localhost only).")
@click.option(
    "--allowed-origin",
    "allowed_origins",
    multiple=True,
    help="Extra browser origin for CORS calls (repeatable; redirect URI origins are allowed).",
)
@_access_token_options
@click.pass_obj
def clients_add(
    obj: AppContext,
    client_id,
    name,
    redirect_uris,
    logout_uris,
    auth_method,
    secret,
    strict_auth_method,
    grant_types,
    scope,
    trusted,
    require_phone,
    backchannel_logout_uri,
    id_token_alg,
    jwks_file,
    jwks_uri,
    allowed_origins,
    access_token_format,
    access_token_typ,
    access_token_audiences,
    default_scopes,
    introspect_any,
    resource_servers,
):
    """Register a client, validated like clients.toml.

    \b
    Example:
      mock-ohid clients add --id my-portal --name "My Portal" \\
          --redirect-uri http://localhost:3000/callback \\
          --post-logout-redirect-uri http://localhost:3000/
    """
    from ..oidc.clients import ClientConfigError, new_client_secret, register_client

    entry = {
        "client_id": client_id,
        "client_name": name or client_id,
        "redirect_uris": list(redirect_uris),
        "post_logout_redirect_uris": list(logout_uris),
        "token_endpoint_auth_method": auth_method,
        "id_token_signed_response_alg": id_token_alg,
        "trusted": trusted,
        "require_phone": require_phone,
    }
    generated = None
    if auth_method in ("client_secret_basic", "client_secret_post"):
        generated = None if secret else new_client_secret()
        entry["client_secret"] = secret or generated
    elif secret:
        fail(f"--secret makes no sense with --auth-method {auth_method}")
    optional = {
        "grant_types": list(grant_types) or None,
        "scope": scope,
        "backchannel_logout_uri": backchannel_logout_uri,
        "jwks": _read_jwks(jwks_file),
        "jwks_uri": jwks_uri,
        "allowed_origins": list(allowed_origins) or None,
        "strict_auth_method": strict_auth_method or None,
        "resource_servers": list(resource_servers) or None,
        **_access_token_fields(
            access_token_format,
            access_token_typ,
            access_token_audiences,
            default_scopes,
            introspect_any,
        ),
    }
    entry.update({k: v for k, v in optional.items() if v is not None})
    with app_with_tables(obj):
        try:
            client = register_client(entry, source="cli", replace=False)
            finish_unit()
        except ClientConfigError as exc:
            fail(str(exc))
        click.echo(f"Registered client {client.client_id} ({client.token_endpoint_auth_method})")
        if generated:
            click.echo(f"client_secret: {generated}  (shown once; only a digest is stored)")


@clients.command("show")
@click.argument("client_id")
@click.pass_obj
def clients_show(obj: AppContext, client_id):
    """Show everything a portal needs to connect (the secret is never shown again).

    \b
    Example:
      mock-ohid clients show optum-pro
    """
    import json

    from ..extensions import get_settings
    from ..lifecycle.clients import find_client
    from ..oidc.clients import client_details

    with app_with_tables(obj):
        client = find_client(client_id)
        if client is None:
            fail(f"no client {client_id!r} (see: mock-ohid clients list)")
        details = client_details(client)
        details["discovery_url"] = f"{get_settings().issuer}/.well-known/openid-configuration"
        click.echo(json.dumps(details, indent=2))


@clients.command("update")
@click.argument("client_id")
@click.option("--name", help="Shown on the consent screen.")
@click.option("--add-redirect-uri", "add_redirect_uris", multiple=True, help="Repeatable.")
@click.option("--remove-redirect-uri", "remove_redirect_uris", multiple=True, help="Repeatable.")
@click.option("--add-post-logout-redirect-uri", "add_post_logout_redirect_uris", multiple=True)
@click.option(
    "--remove-post-logout-redirect-uri", "remove_post_logout_redirect_uris", multiple=True
)
@click.option("--add-allowed-origin", "add_allowed_origins", multiple=True)
@click.option("--remove-allowed-origin", "remove_allowed_origins", multiple=True)
@click.option(
    "--auth-method",
    type=click.Choice(["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]),
    help="Token endpoint authentication (a secret is generated when one is needed).",
)
@click.option("--strict-auth-method/--no-strict-auth-method", default=None)
@click.option("--secret", help="A new client secret.")
@click.option("--new-secret", is_flag=True, help="Generate a new secret (shown once).")
@click.option("--trusted/--not-trusted", default=None, help="Skip the consent screen or not.")
@click.option("--scope", help='Limit the scopes it may ask for ("" lifts the limit).')
@_access_token_options
@click.pass_obj
def clients_update(obj: AppContext, client_id, **options):
    """Change a client in place: URIs, origins, auth method, secret, trusted, scopes,
    access tokens. Nothing is revoked: its tokens and users' consent stay.

    A clients.toml client gets its file's entry back at the next start.

    \b
    Example:
      mock-ohid clients update my-portal --add-post-logout-redirect-uri http://localhost:3000
      mock-ohid clients update my-portal --auth-method client_secret_post --new-secret
    """
    from ..lifecycle.clients import find_client
    from ..oidc.clients import ClientConfigError, update_client

    changes = {
        name: list(options.pop(name))
        for name in list(options)
        if name.startswith(("add_", "remove_")) and options[name]
    }
    simple = {
        "client_name": options["name"],
        "token_endpoint_auth_method": options["auth_method"],
        "strict_auth_method": options["strict_auth_method"],
        "client_secret": options["secret"],
        "trusted": options["trusted"],
        "new_secret": options["new_secret"] or None,
        "resource_servers": list(options["resource_servers"]) or None,
        **_access_token_fields(
            options["access_token_format"],
            options["access_token_typ"],
            options["access_token_audiences"],
            options["default_scopes"],
            options["introspect_any"],
        ),
    }
    changes.update({k: v for k, v in simple.items() if v is not None})
    if options["scope"] is not None:
        changes["scope"] = options["scope"] or None
    if not changes:
        fail("give at least one change (see --help)")
    with app_with_tables(obj):
        client = find_client(client_id)
        if client is None:
            fail(f"no client {client_id!r} (see: mock-ohid clients list)")
        try:
            shown = update_client(client, changes)
            finish_unit()
        except ClientConfigError as exc:
            fail(str(exc))
        click.echo(f"Updated client {client_id}; its tokens and consents are kept.")
        if shown:
            click.echo(f"client_secret: {shown}  (shown once; only a digest is stored)")


@clients.command("remove")
@click.argument("client_id")
@click.pass_obj
def clients_remove(obj: AppContext, client_id):
    """Delete a client, revoking its tokens and users' consent to it.

    A client from clients.toml comes back at the next start.

    \b
    Example:
      mock-ohid clients remove my-portal
    """
    from ..oidc.clients import remove_client

    with app_with_tables(obj):
        if not remove_client(client_id):
            fail(f"no client {client_id!r}")
        finish_unit()
        click.echo(f"Removed client {client_id}; its tokens are revoked.")
