"""Starting the issuer and the demo portals together, and stopping them on Ctrl-C."""

from __future__ import annotations

import socket
import threading
import tomllib
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server

from ..extensions import get_settings
from ..oidc.clients import register_client
from ..store.units import unit_of_work
from .portal_app import create_portal_app
from .portals import PORTALS, Portal


class DemoError(Exception):
    """The demo cannot start; the text says why."""


@dataclass
class Served:
    label: str
    url: str
    server: BaseWSGIServer
    thread: threading.Thread


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DemoError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.listen(128)
    return sock


def serve(label: str, url: str, sock: socket.socket, app) -> Served:
    """Serve ``app`` on the already bound ``sock`` in a background thread."""
    host, port = sock.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, fd=sock.fileno())
    # make_server works on a duplicate of the descriptor; this one is no longer needed.
    sock.close()
    thread = threading.Thread(target=server.serve_forever, name=label, daemon=True)
    thread.start()
    return Served(label, url, server, thread)


def portal_registration(entry: dict, url: str) -> dict:
    """A clients.toml entry with the URIs the portal at ``url`` answers on added."""
    entry = dict(entry)
    for key, uri in (
        ("redirect_uris", f"{url}/callback"),
        ("post_logout_redirect_uris", f"{url}/"),
    ):
        uris = list(entry.get(key, []))
        if uri not in uris:
            uris.append(uri)
        entry[key] = uris
    entry["backchannel_logout_uri"] = f"{url}/backchannel-logout"
    return entry


def clients_file_entries(settings) -> dict[str, dict]:
    """The entries of the clients file (``clients.file``, else the bundled one) by client_id."""
    path = settings.clients_file_path
    return {e.get("client_id"): e for e in tomllib.loads(path.read_text()).get("client", [])}


def serve_portal(settings, client_id: str, issuer: str, bind_for) -> Served:
    """Serve the demo portal of ``client_id`` alone, against the provider at ``issuer``.

    ``bind_for(portal)`` returns the listening socket. The portal's secret and
    authentication method come from the clients file, which the provider must share.
    """
    portal = next((p for p in PORTALS if p.client_id == client_id), None)
    if portal is None:
        names = ", ".join(p.client_id for p in PORTALS)
        raise DemoError(f"no demo portal {client_id!r}; choose one of: {names}")
    entry = clients_file_entries(settings).get(client_id)
    if entry is None:
        raise DemoError(f"client {client_id!r} is not in the clients file")
    sock = bind_for(portal)
    url = f"http://localhost:{sock.getsockname()[1]}"
    app = create_portal_app(
        portal,
        issuer,
        entry.get("client_secret"),
        entry.get("token_endpoint_auth_method", "client_secret_basic"),
        url,
    )
    return serve(portal.name, url, sock, app)


def register_portals(ports: dict[str, int]) -> list[tuple[Portal, dict, str]]:
    """Register each portal's URIs on its client (from the clients file), as its own unit
    of work; needs an app context."""
    settings = get_settings()
    path = settings.clients_file_path
    entries = clients_file_entries(settings)
    registered = []
    with unit_of_work():
        for portal in PORTALS:
            entry = entries.get(portal.client_id)
            if entry is None or portal.client_id not in ports:
                continue
            url = f"http://localhost:{ports[portal.client_id]}"
            entry = portal_registration(entry, url)
            register_client(entry)
            registered.append((portal, entry, url))
    if not registered:
        raise DemoError(f"none of the demo portals' clients is in {path}")
    return registered


def start_portals(app, sockets: dict[str, socket.socket]) -> list[Served]:
    """Register and serve every portal whose client is configured."""
    ports = {client_id: sock.getsockname()[1] for client_id, sock in sockets.items()}
    with app.app_context():
        issuer = get_settings().issuer
        qa_token = get_settings().qa.token
        registered = register_portals(ports)
    served = []
    for portal, entry, url in registered:
        portal_app = create_portal_app(
            portal,
            issuer,
            entry.get("client_secret"),
            entry.get("token_endpoint_auth_method", "client_secret_basic"),
            url,
            qa_token=qa_token,
        )
        served.append(serve(portal.name, url, sockets.pop(portal.client_id), portal_app))
    for sock in sockets.values():
        sock.close()
    return served


def stop(served: list[Served]) -> None:
    """Shut every server down and wait for its thread."""
    for item in served:
        item.server.shutdown()
        item.server.server_close()
    for item in served:
        item.thread.join(timeout=10)
