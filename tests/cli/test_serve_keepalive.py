"""`mock-ohid serve` keeps an idle kept-alive connection open longer than Node's
fetch (undici) reuses one (4 s): a client that reuses it within that time is
never met by a connection the server is closing."""

from __future__ import annotations

import select
import socket

from idp.cli.serve import KEEPALIVE_SECONDS
from tests.live import clean_env, free_port, start_serve, stop_process, wait_for_http

UNDICI_KEEPALIVE_SECONDS = 4
REQUEST = (
    b"GET /.well-known/openid-configuration HTTP/1.1\r\n"
    b"Host: localhost\r\nConnection: keep-alive\r\n\r\n"
)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line.split(b":", 1)[1]
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def test_an_idle_kept_alive_connection_outlives_nodes_reuse_window(tmp_path):
    assert KEEPALIVE_SECONDS > UNDICI_KEEPALIVE_SECONDS
    port = free_port()
    env = clean_env(MOCK_OHID_USERS_SEED="false")
    process = start_serve(tmp_path, env, port)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/.well-known/openid-configuration", process)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(REQUEST)
            assert _read_response(sock).startswith(b"HTTP/1.1 200")
            # Readable before the window ends would mean the server closed it.
            readable, _, _ = select.select([sock], [], [], UNDICI_KEEPALIVE_SECONDS + 0.2)
            assert not readable
            sock.sendall(REQUEST)
            assert _read_response(sock).startswith(b"HTTP/1.1 200")
    finally:
        stop_process(process)
