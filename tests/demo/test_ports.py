"""`mock-ohid demo` on ports of the user's choosing: the portals from --portal-ports
(or demo.portal_ports), the issuer following the port it is bound to."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import threading

import pytest
import requests

from tests.live import clean_env, mock_ohid_command

PORTAL_LINE = re.compile(r"^  (.+?)\s+http://localhost:(\d+)/$")
ISSUER_LINE = re.compile(r"^mock-ohid issuer: (http://localhost:(\d+)) ")


def five_free_ports() -> int:
    """A port that is free with the four after it (on 127.0.0.1, right now)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + 4 > 65535:
            continue
        held = []
        try:
            for port in range(first, first + 5):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise AssertionError("no five consecutive free ports")


def run_demo(tmp_path, *args, **env):
    """Start the demo; return (process, issuer URL, {portal: port}, output lines)."""
    process = subprocess.Popen(
        [*mock_ohid_command(), "demo", *args],
        cwd=tmp_path,
        env=clean_env(MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    issuer, portals = None, {}
    while True:
        try:
            line = lines.get(timeout=90)
        except queue.Empty:
            raise AssertionError("demo did not start:\n" + "\n".join(output)) from None
        output.append(line)
        if (match := ISSUER_LINE.match(line)) is not None:
            issuer = match.group(1)
        if (match := PORTAL_LINE.match(line)) is not None:
            portals[match.group(1)] = int(match.group(2))
        if "Ctrl-C stops." in line or line.startswith("Error:"):
            break
    return process, issuer, portals, output, reader


@pytest.fixture
def demo(tmp_path):
    started = []

    def start(*args, **env):
        result = run_demo(tmp_path, *args, **env)
        started.append(result)
        return result[:4]

    yield start
    for process, *_, reader in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        reader.join(10)
        process.stdout.close()


def check_demo(issuer: str, portals: dict[str, int], first: int) -> None:
    assert sorted(portals.values()) == list(range(first, first + 5))
    port = int(issuer.rsplit(":", 1)[1])
    meta = requests.get(
        f"http://127.0.0.1:{port}/.well-known/openid-configuration", timeout=30
    ).json()
    assert meta["issuer"] == issuer
    landing = requests.get(
        f"http://127.0.0.1:{portals['Claims Online Portal']}/", timeout=30, allow_redirects=False
    )
    assert landing.status_code == 200


def test_portal_ports_flag_moves_the_five_portals_and_the_issuer_follows_its_port(demo):
    first = five_free_ports()
    process, issuer, portals, output = demo("--portal-ports", str(first), MOCK_OHID_SERVER_PORT="0")
    assert process.poll() is None, "\n".join(output)
    assert issuer is not None and not issuer.endswith(":0")
    check_demo(issuer, portals, first)


def test_portal_ports_setting_moves_the_portals(demo):
    first = five_free_ports()
    process, issuer, portals, output = demo(
        MOCK_OHID_SERVER_PORT="0", MOCK_OHID_DEMO_PORTAL_PORTS=str(first)
    )
    assert process.poll() is None, "\n".join(output)
    check_demo(issuer, portals, first)


def test_a_busy_portal_port_is_one_error_line(demo):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        process, _, _, output = demo("--portal-ports", str(port), MOCK_OHID_SERVER_PORT="0")
        assert process.wait(timeout=30) == 2
    errors = [line for line in output if line.startswith("Error:")]
    assert errors == [
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "try --any-ports or --portal-ports"
    ]
