"""The gunicorn worker of `mock-ohid serve`: gunicorn's threaded worker, except that a
connection reaches a thread only once its whole request has arrived.

Gunicorn's own threaded worker gives a connection a thread as soon as its first
byte arrives; a client that then sends a byte a second (slowloris) keeps that
thread, and a few dozen such clients take every thread of every worker. Here the
worker's event loop reads the request head (and a body of announced length, up to
a cap) without blocking, as waitress does; a connection that has not sent its
whole request within ``REQUEST_SECONDS`` is closed. TLS handshakes happen in the
loop too. What is left is a count of connections (``worker_connections`` each
worker, and the process's open-file limit): a shared deployment puts a proxy in
front (see README "Security and robustness").
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import ssl
import time
from functools import partial

from gunicorn import http
from gunicorn import sock as gunicorn_sock
from gunicorn.workers.gthread import TConn, ThreadWorker

# A request must arrive whole within this many seconds of its first byte being awaited.
REQUEST_SECONDS = 30.0
# A head larger than this goes to the parser (which refuses it) rather than waiting on.
HEAD_LIMIT = 64 * 1024
# Bodies up to this size are read before a thread is used; larger ones stream to the
# thread (mock-ohid's forms and JSON are a few kilobytes).
BODY_LIMIT = 1024 * 1024
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")


def request_complete(data: bytes | bytearray) -> bool:
    """Whether ``data`` holds a whole HTTP/1 request (or enough for the parser to decide)."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return len(data) > HEAD_LIMIT
    head = bytes(data[:head_end]).lower()
    body = len(data) - head_end - 4
    if b"\r\nexpect:" in head:
        # The client waits for "100 Continue" before sending its body.
        return True
    if b"\r\ntransfer-encoding:" in head:
        return data.endswith(b"0\r\n\r\n") or body > BODY_LIMIT
    match = CONTENT_LENGTH.search(head)
    return match is None or body >= min(int(match.group(1)), BODY_LIMIT)


class WholeRequestConn(TConn):
    """A connection whose first bytes were read by the event loop."""

    def __init__(self, cfg, sock, client, server):
        super().__init__(cfg, sock, client, server)
        self.arrived = bytearray()
        self.handshaken = not isinstance(sock, ssl.SSLSocket)

    def init(self):
        # The socket is already wrapped for TLS (in the loop); give the parser what arrived.
        if self.initialized:
            return
        self.initialized = True
        self.sock.setblocking(True)
        self.parser = http.get_parser(self.cfg, self.sock, self.client)
        if self.arrived:
            self.parser.unreader.unread(bytes(self.arrived))
            self.arrived = bytearray()


class WholeRequestWorker(ThreadWorker):
    """Gunicorn's gthread worker that reads each request in its loop before a thread runs it."""

    def init_process(self):
        self.tls_context = gunicorn_sock.ssl_context(self.cfg) if self.cfg.is_ssl else None
        super().init_process()

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        if self.tls_context is not None:
            client = self.tls_context.wrap_socket(
                client,
                server_side=True,
                do_handshake_on_connect=False,
                suppress_ragged_eofs=self.cfg.suppress_ragged_eofs,
            )
        conn = WholeRequestConn(self.cfg, client, address, listener.getsockname())
        self._await_request(conn)

    def on_client_socket_readable(self, conn, client):
        # A kept-alive connection's next request: read it in the loop as well.
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn)
        self._read_available(conn)

    def _await_request(self, conn) -> None:
        conn.timeout = time.monotonic() + REQUEST_SECONDS
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn, _sock) -> None:
        self._read_available(conn)

    def _read_available(self, conn) -> None:
        try:
            if not conn.handshaken:
                conn.sock.do_handshake()
                conn.handshaken = True
            while True:
                data = conn.sock.recv(65536)
                if not data:
                    self._drop(conn)
                    return
                conn.arrived += data
                if request_complete(conn.arrived):
                    self._dispatch(conn)
                    return
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except (OSError, ValueError):
            self._drop(conn)

    def _leave_loop(self, conn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        with contextlib.suppress(ValueError):
            self.pending_conns.remove(conn)

    def _drop(self, conn) -> None:
        self._leave_loop(conn)
        self.nr_conns -= 1
        conn.close()

    def _dispatch(self, conn) -> None:
        self._leave_loop(conn)
        if conn.initialized:
            conn.parser.unreader.unread(bytes(conn.arrived))
            conn.arrived = bytearray()
        conn.data_ready = True
        self.enqueue_req(conn)

    def murder_pending(self):
        if self.alive:
            super().murder_pending()
            return
        # Stopping: a request that has not arrived yet is not waited for.
        for conn in list(self.pending_conns):
            self._drop(conn)
