"""Relying parties that run as their own processes (gunicorn apps, node scripts)
on a free loopback port, logging to a file shown when they fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import gunicorn
import pytest

from tests.live import clean_env, free_port, stop_process, wait_for_http

INTEROP = Path(__file__).parent
REPO = INTEROP.parents[1]
NPM_CACHE = REPO / ".cache" / "npm"


@dataclass
class RpProcess:
    """A relying party serving http://localhost:PORT."""

    port: int
    log: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def output(self) -> str:
        """What it printed so far (for assertion messages)."""
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        stop_process(self.process)


def start_rp(command: list[str], cwd: Path, log: Path, port: int, **env: str) -> RpProcess:
    """Run ``command`` in ``cwd`` and wait until http://127.0.0.1:PORT/ answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=clean_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    rp = RpProcess(port, log, process)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process)
    except AssertionError as error:
        rp.stop()
        raise AssertionError(f"{error}\n{rp.output()}") from None
    return rp


def start_wsgi(folder: Path, app: str, log: Path, port: int | None = None, **env: str):
    """``gunicorn APP`` from ``folder`` (one worker, four threads)."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        # Stopping waits for no idle keep-alive connection.
        "--graceful-timeout",
        "2",
        "--chdir",
        str(folder),
    ]
    if gunicorn.version_info >= (25, 1):
        # One control socket per user by default: parallel servers would share it.
        command.append("--no-control-socket")
    command.append(app)
    return start_rp(command, folder, log, port, **env)


def node_folder(name: str) -> Path:
    """tests/interop/NAME with its npm packages installed (``npm ci`` on first use,
    caching downloads in .cache/npm); skips where node or npm is absent."""
    folder = INTEROP / name
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed (apt-get install nodejs npm)")
    if not (folder / "node_modules").is_dir():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--cache", str(NPM_CACHE)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return folder


def start_node(folder: Path, script: str, log: Path, *args: str, port: int) -> RpProcess:
    """``node SCRIPT ARGS`` in ``folder``, serving on ``port``."""
    return start_rp([shutil.which("node"), script, *args], folder, log, port)
