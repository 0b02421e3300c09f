"""A real `mock-ohid serve --workers 2` (gunicorn) in a fresh directory."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from tests.live import clean_env, free_port, mock_ohid_command


class Served:
    def __init__(self, process, port):
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def wait_until_up(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}")
            try:
                requests.get(f"{self.url}/.well-known/jwks.json", timeout=1)
                return
            except (requests.ConnectionError, requests.Timeout):
                # Bound but still booting its workers (slow on a busy machine).
                time.sleep(0.1)
        raise AssertionError("the server never answered")


@pytest.fixture
def multi_worker_server(tmp_path):
    """Two gunicorn workers on one SQLite file, fast hashing, demo users seeded."""
    port = free_port()
    process = subprocess.Popen(
        [*mock_ohid_command(), "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=clean_env(
            MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}",
            MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    served = Served(process, port)
    try:
        served.wait_until_up()
        yield served
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
