"""/_qa/reset empties the data in one transaction: requests beside it never fail."""

from __future__ import annotations

import threading
from collections import Counter

import requests

RESETS = 20
READERS = 4
PAGES = (
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/signin",
    "/_qa/users/demo.provider",
)


def test_pages_requested_while_reset_runs_20_times_never_fail(multi_worker_server):
    base = multi_worker_server.url
    stop = threading.Event()
    statuses: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def read():
        with requests.Session() as http:
            n = 0
            while not stop.is_set():
                path = PAGES[n % len(PAGES)]
                n += 1
                try:
                    status = http.get(base + path, timeout=30).status_code
                except requests.RequestException as exc:
                    status = f"{type(exc).__name__}"
                with lock:
                    statuses[status] += 1
                    if status != 200:
                        failures.append(f"{path}: {status}")

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in readers:
        thread.start()
    try:
        resets = [requests.post(f"{base}/_qa/reset", json={}, timeout=60) for _ in range(RESETS)]
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert [r.status_code for r in resets] == [200] * RESETS
    assert all("demo.provider" in r.json()["demo_users"] for r in resets)
    assert failures == []
    assert statuses[200] >= RESETS, statuses
