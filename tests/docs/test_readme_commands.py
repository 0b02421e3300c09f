"""The README starts with SPEC §1's two commands, and the first one installs every package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# SPEC §1, word for word.
COMMANDS = "\n".join(
    [
        "```",
        "pip install -e . && mock-ohid serve"
        "          # issuer http://localhost:8765, SQLite under ./instance/",
        "pip install -e '.[test]' && pytest           # the whole suite",
        "```",
    ]
)


def test_the_readme_opens_with_the_two_set_up_commands():
    readme = (ROOT / "README.md").read_text()
    title, rest = readme.split("\n", 1)
    assert title == "# mock-ohid"
    assert rest.lstrip("\n").startswith(COMMANDS)


def test_the_readme_stays_a_first_page():
    assert len((ROOT / "README.md").read_text().splitlines()) < 200


def test_pip_install_names_every_package_of_the_source_tree():
    # A package missing from the list installs without it (or a stale name fails the
    # install): `pip install -e .` then no longer gives a working `mock-ohid serve`.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = {p for p in config["tool"]["setuptools"]["packages"] if not p.startswith("idp._")}
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "idp").rglob("__init__.py")
    }
    assert listed == on_disk
