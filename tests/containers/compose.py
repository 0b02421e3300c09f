"""podman-compose for the recipes in examples/compose."""

from __future__ import annotations

import subprocess

from tests.containers import engine


class Compose:
    """``podman-compose -p NAME -f FILE`` with the recipe's variables set."""

    def __init__(self, name: str, file, variables: dict):
        self.name, self.file = name, file
        self.env = {**engine.environment(), **variables}

    def run(self, *args: str, timeout: float = engine.COMMAND_SECONDS, check: bool = True):
        done = subprocess.run(
            ["podman-compose", "-p", self.name, "-f", str(self.file), *args],
            cwd=self.file.parent,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"podman-compose {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
        return done

    def up(self, service: str) -> None:
        """Start one service (and create its dependencies if missing); fail, with what
        podman-compose printed, if its container is not running (podman-compose 1.0.3
        exits 0 when `podman run` fails)."""
        done = self.run("up", "-d", "--no-build", service)
        state = engine.podman(
            "inspect", "--format", "{{.State.Status}}", self.container(service), check=False
        )
        if state.stdout.strip() != "running":
            logs = engine.podman("logs", self.container(service), check=False)
            raise AssertionError(
                f"{service} is {state.stdout.strip() or 'missing'}:\n{done.stdout}\n"
                f"{done.stderr}\n{logs.stdout}{logs.stderr}"
            )

    def container(self, service: str) -> str:
        """podman-compose 1.0.3 names containers PROJECT_SERVICE_1."""
        return f"{self.name}_{service}_1"

    def down(self) -> None:
        """Remove everything the project made: podman-compose 1.0.3's `down -v` leaves the
        containers' anonymous volumes and the project's network behind."""
        listed = engine.podman(
            "ps", "-a", "--filter", f"label=io.podman.compose.project={self.name}",
            "--format", "{{.Names}}", check=False,
        )  # fmt: skip
        engine.remove_containers(*listed.stdout.split())
        self.run("down", "-v", check=False, timeout=180)
        engine.podman("network", "rm", "-f", f"{self.name}_default", check=False)
