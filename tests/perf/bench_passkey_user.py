"""Benchmark: a user with a passkey created and signed in to a portal over HTTP, no browser.

Run by hand: ``python tests/perf/bench_passkey_user.py [count]`` (default 20). Starts a
server with the pytest plugin's ``start_mock_ohid``, then per user: ``POST /_qa/users
{passkey: "hwk"}``, the journey helper's passkey sign-in, the code exchanged at /token.
Prints the first (cold server) and the median and worst of the rest; asserts nothing.
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from idp.testing import start_mock_ohid
from idp.testing.journey import Journey
from idp.testing.softkey import SoftAuthenticator

PORTAL = {
    "client_id": "optum-connect-claims-online",
    "redirect_uri": "http://localhost:5001/callback",
}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="mock-ohid-bench-") as workdir:
        running, stop = start_mock_ohid(Path(workdir))
        try:
            times = []
            for n in range(count):
                started = time.perf_counter()
                user = running.qa.create_user(
                    username=f"bench.passkey{n}",
                    email=f"bench{n}@example.com",
                    password="Password1",
                    email_verified=True,
                    passkey="hwk",
                )
                key = SoftAuthenticator()
                key.add(user["passkey"])
                journey = Journey(running.issuer, running.qa, passkey=key)
                journey.exchange(
                    journey.sign_in_with_passkey(**PORTAL), "claims-online-demo-secret"
                )
                times.append((time.perf_counter() - started) * 1000)
        finally:
            stop()
    rest = times[1:] or times
    print(
        f"passkey user created and signed in over HTTP ({count} users): first {times[0]:.0f} ms "
        f"(cold server), then median {statistics.median(rest):.0f} ms, worst {max(rest):.0f} ms"
    )


if __name__ == "__main__":
    main()
