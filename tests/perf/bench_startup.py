"""Benchmark: how long `mock-ohid serve` takes to answer discovery on a fresh directory.

Run by hand: ``python tests/perf/bench_startup.py [runs]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_cpu_seconds(pgid: int) -> float:
    """utime + stime of the server's process group, from /proc."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def one_start() -> tuple[float, float]:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="mock-ohid-bench-")
    # The mock-ohid beside this Python first (a venv not on PATH), else the one on PATH.
    exe = (
        shutil.which("mock-ohid", path=os.path.dirname(sys.executable))
        or shutil.which("mock-ohid")
        or "mock-ohid"
    )
    env = dict(os.environ, MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}")
    started = time.perf_counter()
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                    response.read()
                return time.perf_counter() - started, group_cpu_seconds(process.pid)
            except (urllib.error.URLError, ConnectionError):
                if time.perf_counter() - started > 30:
                    raise
                time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = [one_start() for _ in range(runs)]
    times = [wall for wall, _ in results]
    cpu = [used for _, used in results]
    print(
        f"fresh-directory start to discovery over {runs} runs: "
        f"median {statistics.median(times):.3f}s, min {min(times):.3f}s, max {max(times):.3f}s"
    )
    # On a shared machine the wall clock mostly measures the neighbours; CPU does not.
    print(f"server CPU until ready: median {statistics.median(cpu):.3f}s, min {min(cpu):.3f}s")
    print("target (issue 13): ready in under 0.5 s")


if __name__ == "__main__":
    main()
