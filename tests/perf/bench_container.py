"""Benchmark: the image's size and the time from `podman run` to a 200 on /healthz.

Run by hand as root where podman works (see tests/containers/engine.py):
``python tests/perf/bench_container.py [runs]``. Builds the image from this checkout on
the local Debian base (as the container tests do), then starts it ``runs`` times on fresh
volumes (database, signing keys and demo users made each time) and once more on the
volumes of the first run (a restart). Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.containers import engine  # noqa: E402


def run_once(name: str, volumes: str) -> float:
    """Seconds from `podman run` to the first 200 on /healthz."""
    (port,) = engine.published_ports(1)
    started = time.monotonic()
    engine.podman(
        "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8765",
        "-v", f"{volumes}-instance:/data/instance", "-v", f"{volumes}-keys:/data/keys",
        "-e", f"MOCK_OHID_SERVER_ISSUER=http://localhost:{port}", engine.IMAGE,
    )  # fmt: skip
    engine.wait_for_health(f"http://127.0.0.1:{port}/healthz", container=name)
    took = time.monotonic() - started
    engine.podman("stop", "-t", "30", name, timeout=60)
    engine.remove_containers(name)
    return took


def main(runs: int) -> None:
    engine.ensure_base_image()
    engine.build(engine.IMAGE, engine.REPO)
    size = engine.inspect(engine.IMAGE)["Size"]
    print(f"image {engine.IMAGE}: {size / 1e6:.0f} MB on {engine.BASE_IMAGE}")
    names = [f"{engine.PREFIX}-bench-{uuid.uuid4().hex[:8]}" for _ in range(runs)]
    try:
        fresh = [run_once(name, name) for name in names]
        again = run_once(f"{names[0]}-again", names[0])
    finally:
        for name in names:
            volumes = [f"{name}-instance", f"{name}-keys"]
            subprocess.run(
                ["podman", "volume", "rm", "-f", *volumes],
                env=engine.environment(),
                capture_output=True,
                check=False,
            )
    print(
        f"run -> 200 on /healthz, fresh volumes ({runs} runs): median "
        f"{statistics.median(fresh):.1f} s, min {min(fresh):.1f} s, max {max(fresh):.1f} s"
    )
    print(f"run -> 200 on /healthz, volumes of an earlier run: {again:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
