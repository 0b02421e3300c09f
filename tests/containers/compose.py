"""podman-compose for the recipes in examples/compose."""

from __future__ import annotations

import subprocess

from . import engine


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

    def container(self, service: str) -> str:
        """podman-compose 1.0.3 names containers PROJECT_SERVICE_1."""
        return f"{self.name}_{service}_1"

    def down(self) -> None:
        self.run("down", "-v", check=False, timeout=180)
