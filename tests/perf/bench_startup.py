"""Benchmark: how long `mock-ohid serve` takes to answer discovery on a fresh directory.

Run by hand: ``python tests/perf/bench_startup.py [runs]``. Prints figures; asserts nothing.
``--phases`` also runs the steps of ``serve`` one by one in a fresh process and
prints the CPU and wall time of each, so the figure above can be read.

The servers run with Python's bytecode cache on, as after a pip install (an
environment with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every
module of the editable checkout from source on each start); one untimed start
writes the cache first.
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
import threading
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


def child_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra)
    return env


def get_when_up(url: str, started: float) -> None:
    """GET ``url`` until it answers 200."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                response.read()
                return
        except (urllib.error.URLError, ConnectionError):
            if time.perf_counter() - started > 30:
                raise
            time.sleep(0.01)


def one_start(workdir: str) -> tuple[float, float, float, float]:
    """Seconds to discovery, CPU until then, seconds to the JWKS, CPU until then."""
    port = free_port()
    # The mock-ohid beside this Python first (a venv not on PATH), else the one on PATH.
    exe = (
        shutil.which("mock-ohid", path=os.path.dirname(sys.executable))
        or shutil.which("mock-ohid")
        or "mock-ohid"
    )
    env = child_env(MOCK_OHID_SERVER_ISSUER=f"http://localhost:{port}")
    started = time.perf_counter()
    process = subprocess.Popen(
        [exe, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        get_when_up(f"{base}/.well-known/openid-configuration", started)
        ready = time.perf_counter() - started, group_cpu_seconds(process.pid)
        # The signing keys: what the first token or JWKS request waits for.
        get_when_up(f"{base}/.well-known/jwks.json", started)
        return (*ready, time.perf_counter() - started, group_cpu_seconds(process.pid))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def fresh_then_restart() -> tuple[tuple, tuple]:
    """A start on an empty directory, then a second start on what it left."""
    workdir = tempfile.mkdtemp(prefix="mock-ohid-bench-")
    try:
        return one_start(workdir), one_start(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(label: str, results: list[tuple]) -> None:
    times, cpu, keys_times, keys_cpu = ([r[i] for r in results] for i in range(4))
    print(
        f"{label} to discovery over {len(results)} runs: median "
        f"{statistics.median(times):.3f}s, min {min(times):.3f}s, max {max(times):.3f}s"
    )
    # On a shared machine the wall clock mostly measures the neighbours; CPU does not.
    print(f"  server CPU until ready: median {statistics.median(cpu):.3f}s, min {min(cpu):.3f}s")
    print(
        f"  then the JWKS (signing keys ready): median {statistics.median(keys_times):.3f}s "
        f"from start, server CPU {statistics.median(keys_cpu):.3f}s"
    )


class Phases:
    """CPU (all threads of this process) and wall time of each step, printed as a table."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, int]] = []
        # Process CPU counts from exec: the first row is Python's own start-up.
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        first = "Python start-up (interpreter, site, this script's imports)"
        self.rows.append((first, self.cpu, 0.0, len(sys.modules)))

    def lap(self, name: str) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        self.rows.append((name, cpu - self.cpu, wall - self.wall, len(sys.modules)))
        self.cpu, self.wall = cpu, wall

    def print(self) -> None:
        print(f"{'phase':58} {'CPU ms':>7} {'wall ms':>8} {'modules':>8}")
        for name, cpu, wall, modules in self.rows:
            print(f"{name:58} {cpu * 1000:7.0f} {wall * 1000:8.0f} {modules:8}")


def timed(owner, name: str, spent: dict) -> None:
    """Wrap ``owner.name`` to add its own thread's CPU and its wall time to ``spent``."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = (time.thread_time() - cpu, time.perf_counter() - wall)

    setattr(owner, name, wrapper)


def child_phases() -> None:
    """The steps of ``mock-ohid serve`` on a fresh directory, one by one (run in a child).

    Each row is what that step adds, in the order serve meets it; the rows from
    the early hash on include the CPU of the hashing thread running beside them.
    """
    phases = Phases()
    import flask  # noqa: F401

    phases.lap("import flask (Werkzeug, Jinja2, click)")
    import flask_sqlalchemy  # noqa: F401
    import sqlalchemy.orm  # noqa: F401

    phases.lap("import sqlalchemy.orm, flask_sqlalchemy")
    import idp.cli  # noqa: F401
    from idp import seed_file
    from idp.cli.base import AppContext, early_seed_hashes

    phases.lap("import idp.cli (the rest: settings, Flask-WTF, argon2...)")
    spent: dict[str, tuple[float, float]] = {}
    timed(seed_file, "hash_each", spent)
    obj = AppContext(None, {})
    hashes = early_seed_hashes(obj)
    assert hashes is not None, "a fresh directory should start the demo hashes early"
    phases.lap("demo passwords' hash started (a thread beside what follows)")
    import idp.store.models  # noqa: F401

    phases.lap("import idp.store.models (the tables declared, authlib's mixins)")
    import idp.oidc.server  # noqa: F401

    phases.lap("import idp.oidc.server (Authlib's server, joserfc)")
    app = obj.app
    phases.lap("create_app (the page modules, settings, engine, routes)")
    from idp import bootstrap
    from idp.cli.base import initialize_app
    from idp.oidc.keys import KeyStore

    for owner, name in (
        (bootstrap, "bring_to_head"),
        (bootstrap, "_load_clients"),
        (bootstrap, "seed_users"),
        (KeyStore, "ensure_keys"),
    ):
        timed(owner, name, spent)
    initialize_app(app, keys_in_background=True, hashes=hashes)
    phases.lap("initialize (tables, clients, demo users; keys started)")
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    get_when_up(f"{base}/.well-known/openid-configuration", time.perf_counter())
    phases.lap("werkzeug server up, first discovery answered: READY")
    get_when_up(f"{base}/.well-known/jwks.json", time.perf_counter())
    phases.lap("first JWKS answered (waits for the signing keys)")
    server.shutdown()
    phases.print()
    print("\nSteps inside (CPU of their own thread, wall): the hash and the keys run in")
    print("threads beside the rest; argon2's lanes run in threads of their own too.")
    for name, (cpu, wall) in spent.items():
        print(f"  {name:56} {cpu * 1000:7.0f} {wall * 1000:8.0f}")


def phases_in_a_fresh_process() -> None:
    workdir = tempfile.mkdtemp(prefix="mock-ohid-bench-")
    try:
        subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child-phases"],
            cwd=workdir,
            env=child_env(),
            check=True,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    args = sys.argv[1:]
    if args == ["--child-phases"]:
        child_phases()
        return
    phases = "--phases" in args
    runs = int(next((a for a in args if a.isdigit()), "5"))
    fresh_then_restart()  # untimed: writes the bytecode cache of a fresh checkout
    pairs = [fresh_then_restart() for _ in range(runs)]
    report("fresh-directory start", [fresh for fresh, _ in pairs])
    report("restart on that directory", [again for _, again in pairs])
    print("target (issue 13): ready in under 0.5 s from an empty directory")
    if phases:
        print()
        phases_in_a_fresh_process()


if __name__ == "__main__":
    main()
