"""Benchmark: complete code + PKCE logins (with userinfo) against mock-ohid and two peers.

In one run, each server gets the same load generator (``--concurrency`` browsers in
threads, each login a fresh cookie jar) for the same ``--seconds``:

- mock-ohid: ``mock-ohid serve --workers 2`` with the ``fast`` hash profile;
- Node's ``oidc-provider`` with its development interactions (tests/perf/peer);
- ``oidc-provider-mock`` from PyPI (tests/perf/peer/.venv).

Prints logins/s, p50/p95 per login, server CPU milliseconds per login (utime +
stime summed over the server's process group from /proc, so the load generator's
own cost does not count) and the ratios; per-endpoint latencies; RSS per mock-ohid
worker after ``--rss-at`` logins; and sign-in p95 with ``--big-users`` accounts in
the database against 100. Asserts nothing.

Install the peers once: ``bash tests/perf/peer/install``. Then:
``python tests/perf/bench_login.py`` (quick: ``--seconds 10 --rss-at 200,1000
--big-users 10000``). A peer that is not installed is skipped with a note.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests
from light_browser import Browser

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer"
REDIRECT = "http://localhost:5001/callback"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Accounts every server can sign in: imported into mock-ohid, any name on the peers.
NAMES = [f"bulk.user{i}" for i in range(100)]
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_request(client_id: str) -> tuple[str, dict[str, str]]:
    """A PKCE verifier and the parameters of a code + PKCE request for ``client_id``."""
    verifier, challenge = pkce()
    return verifier, {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- /proc: CPU and memory of a server's process group ---


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # field 5 of stat: the process group
                pids.append(int(entry))
    return pids


def group_cpu_seconds(pgid: int) -> float:
    """utime + stime of every live process in the group (and of children it reaped)."""
    total = 0
    for pid in group_pids(pgid):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / CLK_TCK


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(master: int) -> list[int]:
    """gunicorn workers: the master's children."""
    found = []
    for pid in group_pids(master):
        with open(f"/proc/{pid}/stat") as handle:
            if int(handle.read().rsplit(")", 1)[1].split()[1]) == master:
                found.append(pid)
    return sorted(found)


# --- the servers ---


class Server:
    name = ""

    def __init__(self):
        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        self.process: subprocess.Popen | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="mock-ohid-bench-"))

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict:
        return dict(os.environ)

    def ready_path(self) -> str:
        return "/.well-known/openid-configuration"

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.workdir,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(self.base + self.ready_path(), timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def login(self, browser: Browser, user: str, steps: dict) -> None:
        raise NotImplementedError

    def timed(self, steps: dict, name: str, call):
        started = time.perf_counter()
        response = call()
        steps[name] = (time.perf_counter() - started) * 1000
        return response


def mock_ohid_exe() -> str:
    return (
        shutil.which("mock-ohid", path=os.path.dirname(sys.executable))
        or shutil.which("mock-ohid")
        or "mock-ohid"
    )


class MockOhid(Server):
    name = "mock-ohid"
    client = ("optum-connect-claims-online", "claims-online-demo-secret")

    def __init__(self, workers: int = 2, users: int = 0, threads: int = 4):
        super().__init__()
        self.workers = workers
        self.threads = threads
        if users:
            self.import_users(users)

    def env(self) -> dict:
        return dict(
            os.environ,
            MOCK_OHID_SERVER_ISSUER=self.base,
            MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast",
        )

    def command(self) -> list[str]:
        return [
            mock_ohid_exe(),
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]

    def import_users(self, count: int) -> None:
        path = self.workdir / "people.csv"
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["username", "email", "password", "first_name", "last_name", "email_verified"]
            )
            for i in range(count):
                writer.writerow(
                    [f"bulk.user{i}", f"bulk.user{i}@example.com", "Password1", "Bulk", "User", 1]
                )
        subprocess.run(
            [mock_ohid_exe(), "users", "import", str(path)],
            cwd=self.workdir,
            env=self.env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def login(self, browser, user, steps):
        verifier, params = authorization_request(self.client[0])
        get = browser.get
        response = self.timed(
            steps,
            "authorize",
            lambda: get(f"{self.base}/authorize?{urlencode(params)}", allow_redirects=False),
        )
        page_url = urljoin(self.base, response.headers["Location"])
        page = self.timed(steps, "sign-in page", lambda: get(page_url))
        response = self.timed(
            steps,
            "sign-in: identifier",
            lambda: browser.post(
                f"{self.base}/signin",
                data={"csrf_token": unescape(CSRF_RE.search(page.text)[1]), "identifier": user},
                allow_redirects=False,
            ),
        )
        page = self.timed(
            steps, "password page", lambda: get(urljoin(self.base, response.headers["Location"]))
        )
        response = self.timed(
            steps,
            "sign-in: password",
            lambda: browser.post(
                f"{self.base}/signin/password",
                data={
                    "csrf_token": unescape(CSRF_RE.search(page.text)[1]),
                    "password": "Password1",
                },
                allow_redirects=False,
            ),
        )
        location = urljoin(self.base, response.headers["Location"])
        if urlsplit(location).path.startswith("/authorize/resume/"):
            # A tree before the sign-in answered the portal itself resumed in a request
            # of its own (a baseline checkout).
            response = self.timed(steps, "resume", lambda: get(location, allow_redirects=False))
        self.finish(browser, response.headers["Location"], verifier, steps, "/token", "/userinfo")

    def finish(self, browser, location, verifier, steps, token_path, userinfo_path):
        code = query_of(location)["code"]
        response = self.timed(
            steps,
            "token",
            lambda: browser.post(
                self.base + token_path,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": REDIRECT,
                    "code_verifier": verifier,
                },
                auth=self.client,
            ),
        )
        access = response.json()["access_token"]
        info = self.timed(
            steps,
            "userinfo",
            lambda: browser.get(
                self.base + userinfo_path, headers={"Authorization": f"Bearer {access}"}
            ),
        )
        assert info.status_code == 200 and info.json()["sub"], info.text


class NodeOidcProvider(MockOhid):
    name = "node oidc-provider"
    client = ("bench", "bench-secret-0123456789")

    def __init__(self):
        Server.__init__(self)

    @staticmethod
    def available() -> str | None:
        if not (PEER / "node_modules" / "oidc-provider").is_dir():
            return "not installed (bash tests/perf/peer/install)"
        return None if shutil.which("node") else "node is not on PATH"

    def env(self) -> dict:
        return dict(os.environ, PORT=str(self.port), NODE_ENV="production")

    def command(self) -> list[str]:
        return ["node", str(PEER / "server.mjs")]

    def login(self, browser, user, steps):
        verifier, params = authorization_request(self.client[0])
        response = self.timed(
            steps,
            "authorize",
            lambda: browser.get(f"{self.base}/auth?{urlencode(params)}", allow_redirects=False),
        )
        # Dev interactions: a login page, then a consent page, each a POST to the interaction.
        for prompt, fields in (("login", {"login": user, "password": "x"}), ("consent", {})):
            location = urljoin(self.base, response.headers["Location"])
            self.timed(steps, f"{prompt} page", lambda url=location: browser.get(url))
            response = self.timed(
                steps,
                f"interaction: {prompt}",
                lambda url=location, data={"prompt": prompt, **fields}: browser.post(
                    url, data=data, allow_redirects=False
                ),
            )
            location = urljoin(self.base, response.headers["Location"])
            response = self.timed(
                steps,
                f"resume after {prompt}",
                lambda url=location: browser.get(url, allow_redirects=False),
            )
        self.finish(browser, response.headers["Location"], verifier, steps, "/token", "/me")


class OidcProviderMock(MockOhid):
    name = "oidc-provider-mock"
    client = ("bench", "bench-secret")

    def __init__(self):
        Server.__init__(self)

    @staticmethod
    def available() -> str | None:
        if not (PEER / ".venv" / "bin" / "python").exists():
            return "not installed (bash tests/perf/peer/install)"
        return None

    def command(self) -> list[str]:
        return [str(PEER / ".venv" / "bin" / "python"), "-m", "oidc_provider_mock"] + [
            "--port",
            str(self.port),
        ]

    def env(self) -> dict:
        return dict(os.environ, PYTHONWARNINGS="ignore")

    def login(self, browser, user, steps):
        verifier, params = authorization_request(self.client[0])
        url = f"{self.base}/oauth2/authorize?{urlencode(params)}"
        self.timed(steps, "authorize", lambda: browser.get(url))
        response = self.timed(
            steps,
            "authorize: submit",
            lambda: browser.post(url, data={"sub": user}, allow_redirects=False),
        )
        self.finish(
            browser, response.headers["Location"], verifier, steps, "/oauth2/token", "/userinfo"
        )


class FlaskFloor(MockOhid):
    """tests/perf/floor_app.py under gunicorn as ``mock-ohid serve --workers 2`` runs."""

    name = "flask + gunicorn floor"

    def __init__(self, threads: int = 4):
        Server.__init__(self)
        self.threads = threads

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(HERE),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--threads",
            str(self.threads),
            "--worker-class",
            "idp.http_worker.WholeRequestWorker",
            "--access-logfile",
            "-",
            "--logger-class",
            "idp.access_log.AccessLog",
            "floor_app:app",
        ]


# --- the load generator ---


class Run:
    """Results of driving one server: login durations and step durations."""

    def __init__(self):
        self.logins: list[float] = []
        self.steps: dict[str, list[float]] = defaultdict(list)
        self.errors = 0
        self.lock = threading.Lock()


def drive(server: Server, concurrency: int, seconds=None, count=None, users=None) -> Run:
    """Logins from ``concurrency`` threads until ``seconds`` pass or ``count`` are done."""
    run = Run()
    deadline = time.monotonic() + seconds if seconds else None
    names = users or NAMES
    started = [0]

    def worker(index: int):
        n = index
        while True:
            with run.lock:
                if (count is not None and started[0] >= count) or (
                    deadline is not None and time.monotonic() >= deadline
                ):
                    return
                started[0] += 1
            steps: dict[str, float] = {}
            begin = time.perf_counter()
            try:
                with Browser() as browser:
                    server.login(browser, names[n % len(names)], steps)
            except Exception:  # noqa: BLE001 - counted and reported, the run goes on
                with run.lock:
                    run.errors += 1
                continue
            elapsed = (time.perf_counter() - begin) * 1000
            with run.lock:
                run.logins.append(elapsed)
                for name, value in steps.items():
                    run.steps[name].append(value)
            n += concurrency

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def endpoint_latency(server: Server, path: str, count: int = 50) -> list[float]:
    times = []
    with Browser() as session:
        for _ in range(count):
            started = time.perf_counter()
            session.get(server.base + path).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


DOCS = {
    "mock-ohid": ("/.well-known/openid-configuration", "/.well-known/jwks.json"),
    "node oidc-provider": ("/.well-known/openid-configuration", "/jwks"),
    "oidc-provider-mock": ("/.well-known/openid-configuration", "/jwks"),
}


def side_by_side(args) -> None:
    servers: list[Server] = [MockOhid(workers=2, users=100, threads=args.threads)]
    for peer in () if args.no_peers else (NodeOidcProvider, OidcProviderMock):
        missing = peer.available()
        if missing:
            print(f"skipping {peer.name}: {missing}")
        else:
            servers.append(peer())
    rows, step_rows = [], []
    for server in servers:
        try:
            server.start()
            drive(server, args.concurrency, count=args.concurrency * 3, users=NAMES)  # warm up
            cpu_before = group_cpu_seconds(server.process.pid)
            own_before = time.process_time()
            started = time.monotonic()
            run = drive(server, args.concurrency, seconds=args.seconds, users=NAMES)
            wall = time.monotonic() - started
            cpu = group_cpu_seconds(server.process.pid) - cpu_before
            own = time.process_time() - own_before
            done = len(run.logins)
            rows.append(
                (
                    server.name,
                    done / wall,
                    pct(run.logins, 0.5),
                    pct(run.logins, 0.95),
                    cpu * 1000 / max(done, 1),
                    run.errors,
                    own * 1000 / max(done, 1),
                )
            )
            discovery, jwks = DOCS[server.name]
            run.steps["discovery"] = endpoint_latency(server, discovery)
            run.steps["jwks"] = endpoint_latency(server, jwks)
            step_rows.append((server.name, run.steps))
        finally:
            server.stop()

    print(f"\n{args.seconds:.0f} s each, {args.concurrency} concurrent browsers, one run:\n")
    print(
        f"{'server':20} {'logins/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'CPU ms/login':>13} {'errors':>7} {'generator ms/login':>19}"
    )
    for name, rate, p50, p95, cpu, errors, own in rows:
        print(f"{name:20} {rate:9.1f} {p50:8.1f} {p95:8.1f} {cpu:13.1f} {errors:7d} {own:19.1f}")
    ours = rows[0]
    for name, rate, _p50, _p95, cpu, _errors, _own in rows[1:]:
        print(
            f"mock-ohid vs {name}: {ours[1] / rate:.2f}x the logins/s, "
            f"{ours[4] / cpu:.2f}x the CPU per login"
        )
    print("\nper-endpoint latency, ms (p50 / p95):")
    for name, steps in step_rows:
        print(f"  {name}")
        for step, values in steps.items():
            print(f"    {step:24} {pct(values, 0.5):7.1f} / {pct(values, 0.95):7.1f}")


def measure_cpu(server: Server, args) -> tuple[float, float]:
    """Logins/s and server CPU ms per login over ``args.seconds`` (after a warm-up)."""
    drive(server, args.concurrency, count=args.concurrency * 3, users=NAMES)
    cpu_before = group_cpu_seconds(server.process.pid)
    started = time.monotonic()
    run = drive(server, args.concurrency, seconds=args.seconds, users=NAMES)
    wall = time.monotonic() - started
    cpu = group_cpu_seconds(server.process.pid) - cpu_before
    done = max(len(run.logins), 1)
    return done / wall, cpu * 1000 / done


class MockOhidAt(MockOhid):
    """mock-ohid from another checkout (its ``idp`` first on PYTHONPATH)."""

    def __init__(self, tree: str, **kwargs):
        self.tree = tree
        super().__init__(**kwargs)
        self.name = f"mock-ohid at {Path(tree).name}"

    def env(self) -> dict:
        return dict(super().env(), PYTHONPATH=self.tree)


def alternate(makers, rounds: int, args) -> None:
    """Start, measure and stop a fresh server from each maker in turn, ``rounds`` times,
    so that servers compared share the machine's drift."""
    for _round in range(rounds):
        for make in makers:
            server = make()
            try:
                server.start()
                rate, cpu = measure_cpu(server, args)
            finally:
                server.stop()
            print(f"  {server.name:28} {rate:7.1f} logins/s {cpu:7.1f} ms CPU per login")


def baseline(args) -> None:
    """This build against ``--baseline`` (another checkout), alternated to share drift."""
    print(f"\nthis build against {args.baseline}, alternated {args.rounds} times:")
    alternate(
        (
            lambda: MockOhidAt(args.baseline, workers=2, users=100, threads=args.threads),
            lambda: MockOhid(workers=2, users=100, threads=args.threads),
        ),
        args.rounds,
        args,
    )


def floor(args) -> None:
    """mock-ohid against the bare Flask + gunicorn floor, alternated to share drift."""
    print("\nserver CPU per login: mock-ohid against Flask + gunicorn doing nothing else")
    alternate((lambda: MockOhid(workers=2, users=100, threads=args.threads), FlaskFloor), 2, args)


def memory(args) -> None:
    checkpoints = sorted(int(n) for n in args.rss_at.split(","))
    server = MockOhid(workers=2, users=100)
    try:
        server.start()
        fresh = [rss_mb(pid) for pid in worker_pids(server.process.pid)]
        print(f"\nRSS per mock-ohid worker (MB): fresh {', '.join(f'{r:.0f}' for r in fresh)}")
        done = 0
        for target in checkpoints:
            run = drive(server, args.concurrency, count=target - done, users=NAMES)
            done = target
            rss = [rss_mb(pid) for pid in worker_pids(server.process.pid)]
            errors = f" ({run.errors} errors)" if run.errors else ""
            print(f"  after {target:6d} logins: {', '.join(f'{r:.0f}' for r in rss)}{errors}")
    finally:
        server.stop()


def many_users(args) -> None:
    print("\nsign-in p95 (identifier + password steps), ms:")
    results = {}
    for population in (100, args.big_users):
        server = MockOhid(workers=2, users=population)
        try:
            server.start()
            names = [f"bulk.user{i * (population // 100)}" for i in range(100)]
            drive(server, args.concurrency, count=args.concurrency * 2, users=names)
            run = drive(server, args.concurrency, count=args.signin_logins, users=names)
            signin = [
                a + b
                for a, b in zip(
                    run.steps["sign-in: identifier"], run.steps["sign-in: password"], strict=True
                )
            ]
            results[population] = pct(signin, 0.95)
            print(
                f"  {population:7d} users: p95 {results[population]:.1f} "
                f"(p50 {pct(signin, 0.5):.1f})"
            )
        finally:
            server.stop()
    small, big = results[100], results[args.big_users]
    print(f"  ratio: {big / small:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="load time per server")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent browsers")
    parser.add_argument("--threads", type=int, default=4, help="threads per mock-ohid worker")
    parser.add_argument("--no-peers", action="store_true", help="drive mock-ohid only")
    parser.add_argument("--rss-at", default="1000,10000", help="login counts to read RSS at")
    parser.add_argument("--big-users", type=int, default=100_000, help="accounts for the p95")
    parser.add_argument("--signin-logins", type=int, default=400, help="logins per population")
    parser.add_argument(
        "--only",
        default="compare,memory,users",
        help="parts to run: compare,memory,users,floor,baseline (the last two are not in "
        "the default)",
    )
    parser.add_argument("--baseline", help="another checkout, for --only baseline")
    parser.add_argument("--rounds", type=int, default=3, help="alternations for baseline")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if "compare" in parts:
        side_by_side(args)
    if "memory" in parts:
        memory(args)
    if "users" in parts:
        many_users(args)
    if "floor" in parts:
        floor(args)
    if "baseline" in parts:
        if not args.baseline:
            parser.error("--only baseline needs --baseline /path/to/other/checkout")
        baseline(args)


if __name__ == "__main__":
    main()
