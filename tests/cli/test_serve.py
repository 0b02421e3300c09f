"""`mock-ohid serve` and `init` as a user runs them, in a fresh directory."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.live import clean_env, free_port, mock_ohid_command, wait_for_http


@pytest.fixture
def served(tmp_path, request):
    processes = []

    def start(*args, **env):
        port = free_port()
        process = subprocess.Popen(
            [*mock_ohid_command(), "serve", "--port", str(port), *args],
            cwd=tmp_path,
            env=clean_env(MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}", **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        processes.append(process)
        return process, port

    yield start
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if process.stdout and not process.stdout.closed:
            process.stdout.close()


def test_serve_on_a_fresh_directory_creates_everything_and_prints_credentials(served, tmp_path):
    process, port = served()
    discovery = wait_for_http(f"http://127.0.0.1:{port}/.well-known/openid-configuration", process)
    assert discovery.json()["issuer"] == f"http://localhost:{port}"
    assert (tmp_path / "instance" / "mock-ohid.db").exists()
    # The signing keys are made while the server already answers; the JWKS waits for them.
    jwks = requests.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=30)
    assert len(jwks.json()["keys"]) == 2
    assert len(list((tmp_path / "keys").glob("*.json"))) == 2
    os.killpg(process.pid, signal.SIGTERM)
    output = process.communicate(timeout=10)[0]
    assert f"mock-ohid issuer: http://localhost:{port}" in output
    for client_id in (
        "optum-connect-claims-online",
        "optum-connect-physician-info",
        "optum-pro",
        "optum-provider-portal",
        "provider-express",
    ):
        assert client_id in output
    assert "demo.provider" in output and "Password1" in output


def test_first_jwks_requests_made_together_get_one_key_set(served, tmp_path):
    # Readers that come together while the server starts all get the one key set.
    process, port = served(MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast")
    wait_for_http(f"http://127.0.0.1:{port}/.well-known/openid-configuration", process)
    barrier = threading.Barrier(6)

    def fetch(_):
        barrier.wait()
        return requests.get(f"http://127.0.0.1:{port}/.well-known/jwks.json", timeout=30).text

    with ThreadPoolExecutor(max_workers=6) as pool:
        bodies = set(pool.map(fetch, range(6)))
    assert len(bodies) == 1
    kids = {key["kid"] for key in json.loads(bodies.pop())["keys"]}
    assert kids == {path.stem for path in (tmp_path / "keys").glob("*.json")} and len(kids) == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_stops_serve_promptly_with_exit_code_0(served, workers):
    # What `docker stop` / `podman stop` send: SIGTERM to the server process alone.
    process, port = served("--workers", workers, MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast")
    wait_for_http(f"http://127.0.0.1:{port}/healthz", process, 40)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_serve_with_workers_runs_under_gunicorn(served):
    process, port = served("--workers", "2", MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast")
    response = wait_for_http(f"http://127.0.0.1:{port}/.well-known/jwks.json", process, 40)
    assert response.status_code == 200 and len(response.json()["keys"]) == 2
    requests.get(f"http://127.0.0.1:{port}/signin?interaction=x", timeout=10)
    os.killpg(process.pid, signal.SIGTERM)
    output = process.communicate(timeout=20)[0]
    # One access line per request: address, request line, status, bytes and time taken.
    assert re.search(
        r'127\.0\.0\.1 \[[^]]+\] "GET /signin\?interaction=x HTTP/1\.1" 200 \d+ [\d.]+ms', output
    )


def test_serve_with_one_thread_per_worker_answers(served):
    process, port = served(
        "--workers", "2", "--threads", "1", MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast"
    )
    response = wait_for_http(
        f"http://127.0.0.1:{port}/.well-known/openid-configuration", process, 40
    )
    assert response.status_code == 200 and response.json()["issuer"] == f"http://localhost:{port}"


def test_zero_threads_is_refused_by_name(tmp_path):
    result = subprocess.run(
        [*mock_ohid_command(), "serve", "--threads", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert result.returncode == 2 and "Invalid value for '--threads'" in result.stderr


def test_bad_setting_stops_start_up_with_one_line(tmp_path):
    result = subprocess.run(
        [*mock_ohid_command(), "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(MOCK_OHID_SERVER_PORT="eighty"),
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["Error: MOCK_OHID_SERVER_PORT: expected a whole number, got 'eighty'"]


def test_ip_issuer_gets_a_passkey_warning(tmp_path):
    result = subprocess.run(
        [*mock_ohid_command(), "init"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(
            MOCK_OHID_SERVER_ISSUER="http://127.0.0.1:8765",
            MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "warning: the issuer host is an IP address" in result.stdout


def test_help_shows_an_example():
    result = subprocess.run(
        [*mock_ohid_command(), "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Example:" in result.stdout
