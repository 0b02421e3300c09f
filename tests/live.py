"""Live servers for tests: a free loopback port, the `mock-ohid` command, a clean
environment, waiting for an answer, and stopping a process group."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_ohid_command() -> list[str]:
    """The installed `mock-ohid` beside this Python, else `python -m idp.cli`."""
    exe = shutil.which("mock-ohid", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "idp.cli"]


def clean_env(**extra) -> dict:
    """This process's environment without any MOCK_OHID_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_OHID_")}
    env.update(extra)
    return env


def wait_for_http(url: str, process: subprocess.Popen | None = None, seconds: float = 30.0):
    """GET ``url`` until it answers (any status); fail after ``seconds`` or if
    ``process`` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        try:
            return requests.get(url, timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            # A first answer can take a while on a busy machine: ask again.
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered within {seconds}s")


def stop_process(process: subprocess.Popen) -> None:
    """Stop a process group started with start_new_session=True."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def start_serve(cwd, env: dict, port: int, *args: str) -> subprocess.Popen:
    """`mock-ohid serve --port PORT ARGS` in ``cwd``, quiet, in its own process group
    (stop it with ``stop_process``)."""
    return subprocess.Popen(
        [*mock_ohid_command(), "serve", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
