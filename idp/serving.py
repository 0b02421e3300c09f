"""How `mock-ohid serve` listens: the socket is bound first (so the issuer can follow
the port really bound, ``--port 0`` included), then handed to the server.

The server is gunicorn wherever processes can fork (Linux, macOS, WSL): one worker
by default, ``--workers N`` for more, with a worker that hands a connection to a
thread only once its request has fully arrived (``idp.http_worker``), so slow
clients cannot take the threads. Where there is no ``fork`` (Windows) it is
waitress, which reads every request in its event loop before a thread sees it.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass, field


class ListenError(Exception):
    """The address cannot be listened on; the text says why in one line."""


@dataclass
class Listener:
    """A bound socket (not listening yet) and what it is bound to."""

    sock: socket.socket
    host: str
    port: int
    extra: list[socket.socket] = field(default_factory=list)

    def close(self) -> None:
        self.sock.close()


BACKLOG = 2048


def bind(host: str, port: int) -> Listener:
    """Bind ``host:port`` (port 0: a free port); ListenError when it cannot.

    The socket listens only when the server starts on it: until the app is ready a
    client is refused at once rather than left waiting in the backlog."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    if os.name != "nt":
        # Restarting right after a stop must not wait for old connections' TIME_WAIT.
        # (On Windows this option would let a second server steal a port in use.)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        hint = " (is another server on it? choose another with --port, or --port 0)"
        raise ListenError(f"cannot listen on {host}:{port}: {reason}{hint}") from None
    sock.set_inheritable(True)
    return Listener(sock, host, sock.getsockname()[1])


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def url_host(host: str) -> str:
    """``host`` as it goes into a URL (IPv6 addresses in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def serve_waitress(app, listener: Listener, threads: int) -> None:
    """Serve ``app`` with waitress on the bound socket until Ctrl+C or SIGTERM."""
    import signal

    from waitress import create_server

    listener.sock.listen(BACKLOG)
    server = create_server(
        app,
        sockets=[listener.sock],
        threads=threads,
        # Idle or slow connections are closed after this long; a request is read
        # whole by waitress's loop before a thread runs it.
        channel_timeout=30,
        connection_limit=1000,
        asyncore_use_poll=True,
        clear_untrusted_proxy_headers=True,
    )

    def stop(*_):
        raise SystemExit(0)

    # waitress shuts its threads down on SystemExit / KeyboardInterrupt.
    signal.signal(signal.SIGTERM, stop)
    server.run()
