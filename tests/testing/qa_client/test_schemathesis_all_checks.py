"""schemathesis --checks all against a live server's /_qa API: no failure.

Deterministic generation (the same cases every run) and a time budget per run keep
it repeatable and bounded. /_qa/reset and /_qa/clock run on their own afterwards:
a reset in the middle of the stateful phase would delete the users its links
follow, and a moved clock would expire what other operations just made.
Allowances for rules a JSON schema cannot state are in schemathesis.toml, each
with its reason.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from idp.testing import start_mock_ohid

CONFIG = Path(__file__).parent / "schemathesis.toml"
ISOLATED = ("/_qa/reset", "/_qa/clock")
# The schemathesis command installed beside this Python (the test extra), PATH or not.
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def _run(issuer: str, workdir: Path, *args: str, budget: int) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{issuer}/_qa/openapi.json",
        "--checks",
        "all",
        "--generation-deterministic",
        "--max-examples",
        "20",
        "--max-time",
        str(budget),
        "--no-color",
        *args,
    ]
    # In a folder of its own: schemathesis keeps a cache of past failures in the working
    # directory and replays them, which would make one run depend on another.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=budget + 120, cwd=workdir
    )


def test_schemathesis_all_checks_find_no_failure(tmp_path):
    running, stop = start_mock_ohid(tmp_path)
    try:
        paths = requests.get(f"{running.issuer}/_qa/openapi.json", timeout=10).json()["paths"]
        excluded = [arg for path in ISOLATED for arg in ("--exclude-path", path)]
        main = _run(running.issuer, tmp_path, *excluded, budget=75)
        isolated = [arg for path in ISOLATED for arg in ("--include-path", path)]
        alone = _run(
            running.issuer, tmp_path, *isolated, "--phases", "examples,coverage,fuzzing", budget=20
        )
    finally:
        stop()
    for result in (main, alone):
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # Every operation reached (schemathesis leaves out the document's own path).
    counts = {
        isolated: sum(len(ops) for path, ops in paths.items() if (path in ISOLATED) == isolated)
        for isolated in (True, False)
    }
    assert f"Tested: {counts[False] - 1}" in main.stdout, main.stdout[-3000:]
    assert f"Tested: {counts[True]}" in alone.stdout, alone.stdout[-3000:]
