"""How `mock-ohid serve` listens, as a newcomer runs it: no issuer set, the issuer
follows the port really bound; a busy port is one line; slow clients do not starve it;
SIGTERM stops it promptly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from tests.live import clean_env, free_port, mock_ohid_command, served_processes

FAST = {"MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE": "fast"}


@pytest.fixture
def serve(tmp_path):
    with served_processes(tmp_path, **FAST) as start:
        yield start


def test_port_flag_is_advertised_when_no_issuer_is_set(serve):
    port = free_port()
    served = serve("--port", str(port))
    assert served.port() == port
    meta = served.discovery(port)
    assert meta["issuer"] == f"http://localhost:{port}"
    assert meta["token_endpoint"] == f"http://localhost:{port}/token"
    assert meta["jwks_uri"].startswith(f"http://localhost:{port}/")
    assert "follows the port it listens on" in served.output


def test_port_zero_advertises_the_port_it_got(serve):
    served = serve("--port", "0")
    port = served.port()
    assert port != 0
    assert served.discovery(port)["issuer"] == f"http://localhost:{port}"
    assert f"mock-ohid issuer: http://localhost:{port}" in served.output


def test_port_from_the_environment_is_advertised(serve):
    port = free_port()
    served = serve(MOCK_OHID_SERVER_PORT=str(port))
    assert served.port() == port
    assert served.discovery(port)["issuer"] == f"http://localhost:{port}"


def test_an_explicit_issuer_on_another_port_starts_with_a_one_line_note(serve):
    served = serve("--port", "0", MOCK_OHID_SERVER_ISSUER="http://localhost:8443")
    port = served.port()
    assert served.discovery(port)["issuer"] == "http://localhost:8443"
    notes = [line for line in served.lines if line.startswith("Note:")]
    assert notes == [
        f"Note: the issuer names port 8443 but the server listens on {port}; "
        "fine behind a proxy or a published port, otherwise unset server.issuer."
    ]
    assert "(from MOCK_OHID_SERVER_ISSUER)" in served.output


def test_an_explicit_issuer_on_the_bound_port_has_no_note(serve):
    port = free_port()
    served = serve("--port", str(port), MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}")
    served.discovery(served.port())
    assert not [line for line in served.lines if line.startswith("Note:")]


def test_a_busy_port_is_one_error_line_and_exit_2(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*mock_ohid_command(), "serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env=clean_env(**FAST),
        )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another server on it? choose another with --port, or --port 0)"
    ]
    assert "Listening on" not in result.stdout


@pytest.mark.parametrize("engine", ["auto", "waitress"])
def test_no_development_server_warning(serve, engine):
    served = serve("--port", "0", MOCK_OHID_SERVER_ENGINE=engine)
    port = served.port()
    served.discovery(port)
    requests.get(f"http://127.0.0.1:{port}/signin?interaction=x", timeout=30)
    assert "development server" not in served.output.lower()
    assert "WARNING" not in served.output


def test_sigterm_stops_serve_promptly_and_cleanly(serve):
    served = serve("--port", "0")
    port = served.port()
    served.discovery(port)
    # An idle kept-alive connection and a half-sent request do not hold the stop up.
    idle = requests.Session()
    idle.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
    half = socket.create_connection(("127.0.0.1", port))
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
    try:
        started = time.monotonic()
        # As `podman stop` does to PID 1: the process alone, not its group.
        os.kill(served.process.pid, signal.SIGTERM)
        assert served.process.wait(timeout=20) == 0
        # Generous: the point is seconds, not podman's 10 s kill.
        assert time.monotonic() - started < 15
    finally:
        half.close()
        idle.close()


class SlowClients:
    """Connections that send a request head one byte at a time, forever."""

    def __init__(self, port: int, count: int):
        self.stop = threading.Event()
        self.sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
        for sock in self.sockets:
            sock.sendall(b"POST /token HTTP/1.1\r\nHost: localhost\r\n")
        self.thread = threading.Thread(target=self._drip, daemon=True)
        self.thread.start()

    def _drip(self):
        while not self.stop.wait(0.5):
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()


@pytest.mark.parametrize(
    ("engine", "args"),
    [("auto", ("--workers", "2", "--threads", "2")), ("waitress", ("--threads", "2"))],
)
def test_slow_clients_do_not_starve_the_server(serve, engine, args):
    served = serve("--port", "0", *args, MOCK_OHID_SERVER_ENGINE=engine)
    port = served.port()
    served.discovery(port)
    # Ten times the threads there are, each sending its request a byte at a time.
    slow = SlowClients(port, 40)
    try:
        time.sleep(1)
        for _ in range(6):
            # Generous: a probe on a starved server never answers at all.
            answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=20)
            assert answer.status_code == 200
    finally:
        slow.close()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--https",),
            "Error: HTTPS needs gunicorn, which runs where there is fork (Linux, macOS, WSL); "
            "on Windows use WSL or the container image",
        ),
        (
            ("--workers", "2"),
            "Error: --workers needs gunicorn (Linux, macOS, WSL); waitress serves one process",
        ),
    ],
)
def test_waitress_refuses_what_only_gunicorn_does_in_one_line(tmp_path, args, line):
    result = subprocess.run(
        [*mock_ohid_command(), "serve", "--port", "0", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(**FAST, MOCK_OHID_SERVER_ENGINE="waitress"),
    )
    assert result.returncode == 2 and result.stderr.splitlines() == [line]


def test_other_commands_speak_for_the_issuer_serve_advertises(serve, tmp_path):
    import base64
    import json

    served = serve("--port", "0")
    port = served.port()
    served.discovery(port)
    result = subprocess.run(
        [
            *mock_ohid_command(),
            *("tokens", "issue", "--client-id", "optum-pro", "--username", "demo.provider"),
            *("--only", "id_token"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(**FAST),
    )
    assert result.returncode == 0, result.stderr
    payload = result.stdout.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == f"http://localhost:{port}"


def test_slow_requests_on_kept_alive_connections_do_not_starve_the_server(serve):
    import http.client

    served = serve("--port", "0", "--threads", "2")
    port = served.port()
    served.discovery(port)
    kept = []
    stop = threading.Event()
    try:
        for _ in range(12):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            kept.append(connection)
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200 and not answer.will_close
            # The next request on the same connection comes a byte at a time.
            connection.sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        _drip_while_probing(kept, stop, port)
    finally:
        stop.set()
        for connection in kept:
            connection.close()


def _drip_while_probing(kept, stop, port):
    def drip():
        while not stop.wait(0.5):
            for connection in kept:
                with contextlib.suppress(OSError):
                    connection.sock.sendall(b"X")

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    try:
        time.sleep(1)
        for _ in range(4):
            assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=20).status_code == 200
    finally:
        stop.set()
        dripping.join(5)
