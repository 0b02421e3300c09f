"""The store owns every statement and commit: no module above ``idp.store`` imports
SQLAlchemy or the store's internals, touches the session, commits, or names an early
commit the store does not list with its reason."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from idp.store.units import EARLY_COMMITS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "idp"
STORE = PACKAGE / "store"
ABOVE_THE_STORE = sorted(path for path in PACKAGE.rglob("*.py") if STORE not in path.parents)
SESSION_INTERNALS = {
    "set_committed_value",
    "make_transient",
    "make_transient_to_detached",
    "no_autoflush",
    "expunge",
    "expunge_all",
}
STORE_INTERNALS = {"db", "execute_plain", "read_plain", "insert_row", "held_row"}


def _ids(paths):
    return [str(path.relative_to(PACKAGE)) for path in paths]


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports_of(tree: ast.AST) -> set[str]:
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").lstrip(".")
            imported.add(module)
            if module in {"store", "idp.store"}:
                imported.update(f"store.{alias.name}" for alias in node.names)
    return imported


@pytest.mark.parametrize("path", ABOVE_THE_STORE, ids=_ids(ABOVE_THE_STORE))
def test_module_imports_no_database_library_and_no_store_internals(path):
    bad = {
        name
        for name in _imports_of(_tree(path))
        if name.split(".")[0] in {"sqlalchemy", "flask_sqlalchemy"}
        or name.removeprefix("idp.").startswith(("store.rows", "store.base"))
        or name.removeprefix("store.") in STORE_INTERNALS
        and name.startswith("store.")
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", ABOVE_THE_STORE, ids=_ids(ABOVE_THE_STORE))
def test_module_leaves_the_session_and_its_commits_to_the_store(path):
    found = []
    for node in ast.walk(_tree(path)):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Attribute) and called.attr in {"commit", "rollback"}:
            found.append(f"{called.attr}() at line {node.lineno}")
        receiver = called.value if isinstance(called, ast.Attribute) else None
        receiver_name = getattr(receiver, "attr", getattr(receiver, "id", ""))
        if (
            called is not None
            and getattr(called, "attr", "") == "flush"
            and receiver_name == "session"
        ):
            found.append(f"session.flush() at line {node.lineno}")
        owner = (
            node.value.id
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            else ""
        )
        if isinstance(node, ast.Attribute) and node.attr == "session" and owner in {"db", "_db"}:
            found.append(f"db.session at line {node.lineno}")
        if isinstance(node, ast.Attribute) and node.attr == "query" and owner[:1].isupper():
            found.append(f"{owner}.query at line {node.lineno}")
        if isinstance(node, ast.Attribute) and node.attr in SESSION_INTERNALS:
            found.append(f"{node.attr} at line {node.lineno}")
        if isinstance(node, ast.Name) and node.id in SESSION_INTERNALS:
            found.append(f"{node.id} at line {node.lineno}")
    assert found == []


def _early_commits_made() -> set[str]:
    names = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == "commit_now":
                argument = node.args[0] if node.args else None
                assert isinstance(argument, ast.Constant), f"{path}:{node.lineno} names no commit"
                names.add(argument.value)
    return names


def test_every_early_commit_is_listed_and_every_listed_one_is_made():
    made = _early_commits_made()
    assert made == set(EARLY_COMMITS)


def test_every_early_commit_says_why_it_cannot_wait():
    assert all(len(reason.split()) >= 8 for reason in EARLY_COMMITS.values())


def test_the_sql_contract_names_every_module_above_the_store():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [
        c for c in contracts if c.get("forbidden_modules") == ["sqlalchemy", "flask_sqlalchemy"]
    ]
    top_level = {
        f"idp.{path.stem if path.is_file() else path.name}"
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert set(contract["source_modules"]) == top_level - {"idp.store"}
