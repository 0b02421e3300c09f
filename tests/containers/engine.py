"""Podman on this kind of machine (see CONTAINERS.md of the shared notes): runc, cgroupfs and
no default ulimits through a containers.conf of our own, a Debian base image made once per
machine with debootstrap, and the machine's certificate authority for package installs.

Every container, network and volume a test starts carries the ``mock-ohid-test`` prefix and
is removed by name when the test ends.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
# Debian bookworm from Debian's archive, imported under the name a build argument points at.
BASE_IMAGE = "localhost/debian:bookworm-slim"
IMAGE = "localhost/mock-ohid:test"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
PREFIX = "mock-ohid-test"
CONTAINERS_CONF = """\
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
"""
BUILD_SECONDS = 1200
COMMAND_SECONDS = 300


# Published ports come from a range below the kernel's ephemeral ports (32768 and up), so no
# outgoing connection of a busy machine holds one while a container is being started.
PUBLISHED_PORTS = range(26000, 27000)


def published_ports(count: int) -> list[int]:
    """``count`` different ports of PUBLISHED_PORTS, free on 127.0.0.1 right now."""
    found = []
    for port in random.sample(PUBLISHED_PORTS, len(PUBLISHED_PORTS)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise AssertionError(f"not {count} free ports in {PUBLISHED_PORTS}")


def missing_tools() -> str | None:
    """Why container tests cannot run here, or None."""
    for tool in ("podman", "podman-compose"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install podman runc podman-compose)"
    if os.geteuid() != 0:
        return "container tests run rootful podman (as root), as CI does"
    if not image_exists(BASE_IMAGE) and shutil.which("debootstrap") is None:
        return f"no {BASE_IMAGE} image and no debootstrap to make it (apt-get install debootstrap)"
    return None


def environment() -> dict:
    """The environment for podman: our containers.conf on top of the machine's."""
    folder = Path(tempfile.gettempdir()) / "mock-ohid-podman"
    folder.mkdir(exist_ok=True)
    conf = folder / "containers.conf"
    if not conf.exists() or conf.read_text() != CONTAINERS_CONF:
        conf.write_text(CONTAINERS_CONF)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_OHID_")}
    env["CONTAINERS_CONF"] = str(conf)
    return env


def podman(*args: str, timeout: float = COMMAND_SECONDS, check: bool = True, **kwargs):
    """Run ``podman ARGS``; its completed process (text output)."""
    done = subprocess.run(
        ["podman", *args],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def image_exists(name: str) -> bool:
    return (
        subprocess.run(
            ["podman", "image", "exists", name], env=environment(), capture_output=True
        ).returncode
        == 0
    )


def ensure_base_image() -> None:
    """Make the Debian base image from Debian's packages unless this machine has it."""
    if image_exists(BASE_IMAGE):
        return
    rootfs = Path(tempfile.mkdtemp(prefix="mock-ohid-rootfs-"))
    try:
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(rootfs)]
            + ["http://deb.debian.org/debian"],
            check=True,
            capture_output=True,
            timeout=BUILD_SECONDS,
        )
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        podman("import", "-", BASE_IMAGE, stdin=tar.stdout, timeout=BUILD_SECONDS)
        tar.wait(timeout=60)
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def build(tag: str, context: Path, containerfile: Path | None = None) -> None:
    """Build an image on the local base, with the machine's CA for apt and pip only."""
    args = ["build", "--format", "docker", "--network", "host", "-t", tag]
    args += ["--build-arg", f"BASE={BASE_IMAGE}"]
    if Path(HOST_CA).exists():
        args += ["-v", f"{HOST_CA}:/etc/ssl/certs/host-ca.crt:ro"]
        args += ["--build-arg", "PIP_CERT=/etc/ssl/certs/host-ca.crt"]
    if containerfile is not None:
        args += ["-f", str(containerfile)]
    podman(*args, str(context), timeout=BUILD_SECONDS)


def inspect(name: str) -> dict:
    return json.loads(podman("inspect", name).stdout)[0]


def remove_containers(*names: str) -> None:
    """Remove containers by name, with the anonymous volumes of the image's VOLUMEs."""
    if names:
        podman("rm", "-f", "-v", "-t", "2", *names, check=False, timeout=120)


def wait_for_health(url: str, seconds: float = 120.0, container: str | None = None) -> float:
    """GET ``url`` until it answers 200; the seconds it took. Fails with the logs if not."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if requests.get(url, timeout=3).status_code == 200:
                return time.monotonic() - started
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    report = ""
    if container:
        logs = podman("logs", container, check=False)
        state = podman("inspect", "--format", "{{json .State}}", container, check=False)
        report = f"\n{state.stdout}{state.stderr}\n{(logs.stdout + logs.stderr)[-3000:]}"
    raise AssertionError(f"{url} never answered 200 within {seconds}s{report}")
