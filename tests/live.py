"""Live servers for tests: a free loopback port, the `mock-ohid` command, a clean
environment, waiting for an answer, and stopping a process group."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

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


LISTENING = re.compile(r"Listening on (https?)://[^ ]+:(\d+) ")


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError:
        return False
    return True


class Served:
    """A `mock-ohid serve` process whose output is collected line by line."""

    def __init__(self, cwd, args, env):
        self.process = subprocess.Popen(
            [*mock_ohid_command(), "serve", *args],
            cwd=cwd,
            env=clean_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def close(self):
        self._reader.join(10)
        self.process.stdout.close()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def port(self, seconds: float = 60) -> int:
        """The port of the "Listening on" line, once it accepts connections."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = LISTENING.search(line)
                if match and _accepts(int(match.group(2))):
                    return int(match.group(2))
            if self.process.poll() is not None:
                self._reader.join(5)
                raise AssertionError(f"serve exited {self.process.returncode}:\n{self.output}")
            time.sleep(0.05)
        raise AssertionError(f"no 'Listening on' line within {seconds}s:\n{self.output}")

    def discovery(self, port: int) -> dict:
        url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        return wait_for_http(url, self.process, 60).json()


@contextmanager
def served_processes(cwd, **base_env):
    """``start(*args, **env)`` runs `mock-ohid serve ARGS` in ``cwd`` with ``base_env``
    and ``env``; every process started is stopped at the end."""
    started: list[Served] = []

    def start(*args, **env) -> Served:
        served = Served(cwd, args, {**base_env, **env})
        started.append(served)
        return served

    try:
        yield start
    finally:
        for served in started:
            stop_process(served.process)
            served.close()
