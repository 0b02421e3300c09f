"""Container tests: the image built from this checkout, run with Debian's podman.

They skip, saying why, where podman (or root, or a way to make the Debian base image) is
missing; `.ci/run` installs what they need.
"""

from __future__ import annotations

import uuid

import pytest

from tests.containers import engine

WHY_NOT = engine.missing_tools()
NEEDS_ENGINE = [
    pytest.mark.containers,
    pytest.mark.skipif(WHY_NOT is not None, reason=f"container tests: {WHY_NOT}"),
]


@pytest.fixture(scope="session")
def mock_ohid_image() -> str:
    """The mock-ohid image of this checkout, built once per test session."""
    engine.ensure_base_image()
    engine.build(engine.IMAGE, engine.REPO)
    return engine.IMAGE


@pytest.fixture
def unique_name():
    """A name for this test's containers, networks and volumes."""
    return f"{engine.PREFIX}-{uuid.uuid4().hex[:8]}"
