"""docs/architecture.md draws the floors the import-linter contract enforces."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _contract_floors() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [
        {name.strip().removeprefix("idp.") for name in re.split(r"[:|]", layer)} for layer in layers
    ]


def _diagram_floors() -> list[set[str]]:
    page = (ROOT / "docs" / "architecture.md").read_text()
    diagram = re.search(r"```\n(app : .*?)```", page, re.S).group(1)
    floors: list[set[str]] = []
    current: set[str] = set()
    for line in diagram.splitlines():
        names = line[:43].strip()
        if names == "│":
            floors.append(current)
            current = set()
        elif names:
            current |= {n.strip() for n in re.split(r"[:|]", names) if n.strip()}
    floors.append(current)
    return floors


def test_the_floors_diagram_is_the_layers_contract():
    assert _diagram_floors() == _contract_floors()
