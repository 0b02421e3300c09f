"""Docker reads Dockerfile and .dockerignore, Podman Containerfile and .containerignore:
each pair is one file kept twice (copies, not symlinks, so every checkout has both)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_dockerfile_is_the_containerfile():
    assert (REPO / "Dockerfile").read_bytes() == (REPO / "Containerfile").read_bytes()


def test_dockerignore_is_the_containerignore():
    assert (REPO / ".dockerignore").read_bytes() == (REPO / ".containerignore").read_bytes()
