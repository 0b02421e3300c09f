"""Check that the installed mock-ohid holds every package and bundled file of its source tree.

pyproject.toml lists packages by name, so a new package or data folder is easily left out of
the wheel; the image build runs this against the checkout it was built from and fails on a gap.

Usage: python check_installed_packages.py SOURCE_DIR   (run outside SOURCE_DIR)
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

# Folders of the checkout and where the wheel carries them inside the package.
BUNDLED = {"templates": "_templates", "config": "_config", "idp/static": "static"}


def source_packages(source: Path) -> list[str]:
    """Dotted names of every folder of Python modules under ``source/idp``."""
    names = []
    for folder in sorted((source / "idp").rglob("*")):
        if folder.is_dir() and "__pycache__" not in folder.parts and any(folder.glob("*.py")):
            names.append(".".join(folder.relative_to(source).parts))
    return ["idp", *names]


def missing_files(source: Path, installed: Path) -> list[str]:
    """Bundled files of the checkout that the installed package lacks."""
    missing = []
    for origin, target in BUNDLED.items():
        for path in sorted((source / origin).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(source / origin)
                if not (installed / target / relative).is_file():
                    missing.append(f"{origin}/{relative}")
    return missing


def main(source: Path) -> int:
    problems = []
    for name in source_packages(source):
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            problems.append(f"package {name} does not import: {exc}")
            continue
        if source.resolve() in Path(module.__file__).resolve().parents:
            problems.append(f"package {name} was imported from the source tree, not the install")
    installed = Path(importlib.import_module("idp").__file__).resolve().parent
    problems += [f"bundled file missing: {name}" for name in missing_files(source, installed)]
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print(f"all {len(source_packages(source))} packages and every bundled file are installed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
