"""Profile: one complete code + PKCE login in-process, step by step.

Runs mock-ohid in this process (Flask test client, ``fast`` hashing, a fresh
SQLite file) and logs one account in ``--logins`` times, the same requests as
tests/perf/bench_login.py (seven; eight for a tree whose sign-in resumed the
portal's request in a request of its own, the ``resume`` step). Prints, per step
and in all: CPU milliseconds, SQL statements and commits, and Python function
calls (counted by cProfile in a separate pass). Calls and statements do not
depend on how busy the machine is, so they compare two trees fairly even on a
shared machine; CPU figures do.
Asserts nothing.

Usage: ``python tests/perf/profile_login.py [--logins 200] [--dump DIR]``
(``--dump`` writes one cProfile file per step for ``python -m pstats``). To
compare with another checkout: ``PYTHONPATH=/other/tree python tests/perf/profile_login.py``.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import re
import tempfile
import time
from collections import defaultdict
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from bench_login import REDIRECT, authorization_request
from sqlalchemy import event

from idp import create_app
from idp.bootstrap import initialize
from idp.store import db

CLIENT_ID, SECRET = "optum-connect-claims-online", "claims-online-demo-secret"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STEPS = [
    "authorize",
    "sign-in page",
    "sign-in: identifier",
    "password page",
    "sign-in: password",
    "resume",
    "token",
    "userinfo",
]


class Meter:
    """Per-step CPU, statements, commits and (when profiling) Python calls."""

    def __init__(self, profile: bool):
        self.cpu = defaultdict(float)
        self.statements = defaultdict(int)
        self.commits = defaultdict(int)
        self.profiles = {step: cProfile.Profile() for step in STEPS} if profile else {}
        self.step = None

    def run(self, step: str, call):
        self.step = step
        profile = self.profiles.get(step)
        started = time.process_time()
        if profile:
            profile.enable()
        response = call()
        if profile:
            profile.disable()
        self.cpu[step] += time.process_time() - started
        self.step = None
        return response

    def calls(self, step: str) -> int:
        if step not in self.cpu:
            return 0  # a step this tree does not take
        return sum(row[1] for row in pstats.Stats(self.profiles[step]).stats.values())


def make_app(folder: Path):
    app = create_app(
        overrides={
            "database.url": f"sqlite:///{folder / 'mock-ohid.db'}",
            "keys.dir": str(folder / "keys"),
            "server.instance_dir": str(folder / "instance"),
            "server.issuer": "http://localhost",
            "security.password_hash_profile": "fast",
        },
        environ={},
    )
    with app.app_context():
        initialize()
    account = {
        "username": "bulk.user0",
        "email": "bulk.user0@example.com",
        "password": "Password1",
        "first_name": "Bulk",
        "last_name": "User",
        "email_verified": True,
    }
    assert app.test_client().post("/_qa/users", json=account).status_code == 201
    return app


def login(app, meter: Meter) -> None:
    browser = app.test_client()
    verifier, params = authorization_request(CLIENT_ID)

    def csrf(page) -> str:
        return unescape(CSRF_RE.search(page.get_data(as_text=True))[1])

    response = meter.run("authorize", lambda: browser.get("/authorize?" + urlencode(params)))
    page = meter.run("sign-in page", lambda: browser.get(response.headers["Location"]))
    response = meter.run(
        "sign-in: identifier",
        lambda: browser.post(
            "/signin", data={"csrf_token": csrf(page), "identifier": "bulk.user0"}
        ),
    )
    page = meter.run("password page", lambda: browser.get(response.headers["Location"]))
    response = meter.run(
        "sign-in: password",
        lambda: browser.post(
            "/signin/password", data={"csrf_token": csrf(page), "password": "Password1"}
        ),
    )
    if urlsplit(response.headers["Location"]).path.startswith("/authorize/resume/"):
        # Trees before the sign-in answered the portal itself resumed in a request of its own.
        response = meter.run("resume", lambda: browser.get(response.headers["Location"]))
    code = parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    response = meter.run(
        "token",
        lambda: browser.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
            },
            headers={"Authorization": f"Basic {basic}"},
        ),
    )
    access = response.get_json()["access_token"]
    info = meter.run(
        "userinfo", lambda: browser.get("/userinfo", headers={"Authorization": f"Bearer {access}"})
    )
    assert info.status_code == 200, info.get_data(as_text=True)


def measure(app, logins: int, profile: bool) -> Meter:
    meter = Meter(profile)
    with app.app_context():
        engine = db.engine

    def on_statement(*_args):
        if meter.step:
            meter.statements[meter.step] += 1

    def on_commit(*_args):
        if meter.step:
            meter.commits[meter.step] += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        for _ in range(logins):
            login(app, meter)
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", type=int, default=200, help="logins to time")
    parser.add_argument("--dump", type=Path, help="write one cProfile file per step here")
    args = parser.parse_args()
    app = make_app(Path(tempfile.mkdtemp(prefix="mock-ohid-profile-")))
    measure(app, 20, profile=False)  # warm up: templates compiled, statements cached
    timed = measure(app, args.logins, profile=False)
    counted = measure(app, max(args.logins // 4, 10), profile=True)
    runs = max(args.logins // 4, 10)
    n = args.logins
    print(f"\none login, in-process, mean of {n} (calls: of {runs} under cProfile):\n")
    print(f"{'step':22} {'CPU ms':>8} {'SQL':>5} {'commits':>8} {'Python calls':>13}")
    totals = [0.0, 0, 0, 0]
    for step in STEPS:
        row = (
            timed.cpu[step] * 1000 / n,
            timed.statements[step] / n,
            timed.commits[step] / n,
            counted.calls(step) / runs,
        )
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"{step:22} {row[0]:8.1f} {row[1]:5.0f} {row[2]:8.0f} {row[3]:13.0f}")
    print(f"{'all':22} {totals[0]:8.1f} {totals[1]:5.0f} {totals[2]:8.0f} {totals[3]:13.0f}")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for index, step in enumerate(STEPS):
            if step not in counted.cpu:
                continue
            counted.profiles[step].dump_stats(args.dump / f"{index}-{step.replace(' ', '_')}.prof")
        print(f"\ncProfile files per step in {args.dump}")


if __name__ == "__main__":
    main()
