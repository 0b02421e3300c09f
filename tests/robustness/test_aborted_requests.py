"""A browser that aborts a request (a page navigating away while a script still
loads) leaves no file open on the server.

Werkzeug's server, after writing a response, drains what the client sent
beyond the request; when the client resets the connection during that drain,
the server never calls the response's ``close()``. A static file served from
an open file object then stays open until garbage collection, which reports it
as a ResourceWarning (an error under ``filterwarnings = error``). Static files
are therefore answered from bytes, so no file outlives the view.
"""

from __future__ import annotations

import gc
import socket
import struct
import sys
import time

import pytest


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _aborted_request(port: int, path: str) -> bytes:
    """Send a GET plus one stray byte, read the answer, then reset the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode()
        # The stray byte keeps the server draining the socket after its answer,
        # so the reset below arrives while it still holds the response.
        sock.sendall(request + b"x")
        received = b""
        while not _complete(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        # The whole answer is here: the server now waits in its drain for more bytes.
        # SO_LINGER with a zero timeout: close() sends RST, as an aborting browser does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return received


def _open_files_named(name: str) -> list[str]:
    from pathlib import Path

    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.endswith(name):
            found.append(target)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")
@pytest.mark.parametrize("path", ["/static/passkeys.js", "/static/ohid.css"])
def test_an_aborted_static_request_leaves_no_file_open(live_server, path):
    unraisable = []
    previous = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        for _ in range(5):
            head = _aborted_request(live_server.port, path)
            assert head.startswith(b"HTTP/1.1 200")
        # The server's handler threads finish on their own; wait for them (bounded).
        deadline = time.monotonic() + 20
        name = path.rsplit("/", 1)[1]
        while _open_files_named(name) and time.monotonic() < deadline:
            time.sleep(0.05)
        still_open = _open_files_named(name)
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert still_open == []
    warnings = [u for u in unraisable if isinstance(u.exc_value, ResourceWarning)]
    assert warnings == [], [str(u.exc_value) for u in warnings]


def test_static_files_keep_their_type_validators_and_404(client):
    first = client.get("/static/passkeys.js")
    assert first.status_code == 200 and first.mimetype == "text/javascript"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/static/passkeys.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/missing.js").status_code == 404
    assert client.get("/static/../__init__.py").status_code == 404
