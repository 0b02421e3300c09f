"""Benchmark: `mock-ohid users import` of N users (default 100,000) into a fresh directory.

Run by hand: ``python tests/perf/bench_import.py [count]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workdir = tempfile.mkdtemp(prefix="mock-ohid-import-")
    try:
        path = os.path.join(workdir, "people.csv")
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["username", "email", "password", "first_name", "last_name", "email_verified"]
            )
            for i in range(count):
                writer.writerow(
                    [
                        f"bulk.user{i}",
                        f"bulk.user{i}@example.com",
                        "Password1",
                        "Bulk",
                        f"User{i}",
                        "true",
                    ]
                )
        # The mock-ohid beside this Python first (a venv not on PATH), else the one on PATH.
        exe = (
            shutil.which("mock-ohid", path=os.path.dirname(sys.executable))
            or shutil.which("mock-ohid")
            or "mock-ohid"
        )
        started = time.perf_counter()
        subprocess.run(
            [exe, "users", "import", path], cwd=workdir, check=True, stdout=subprocess.DEVNULL
        )
        elapsed = time.perf_counter() - started
        print(f"imported {count} users in {elapsed:.1f}s ({count / elapsed:,.0f} users/s)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
