"""Accounts, factors and sign-in keep their storage in the store: the lifecycle
stages, pages, audit and delivery of these aggregates name store functions and
never reach for the session, SQLAlchemy or a commit of their own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from idp.store.units import EARLY_COMMITS

PACKAGE = Path(__file__).resolve().parents[2] / "idp"
# The modules of the accounts, factors and sign-in aggregates (the journey's and the
# portals' have their own store modules).
NOT_OURS = {
    "lifecycle/browser.py",
    "lifecycle/clients.py",
    "lifecycle/consent.py",
    "lifecycle/interactions.py",
    "lifecycle/journey.py",
    "lifecycle/portal_claims.py",
    "lifecycle/tokens.py",
    "web/flow.py",
    "web/health.py",
}
MODULES = sorted(
    path
    for folder in ("lifecycle", "web", "delivery")
    for path in (PACKAGE / folder).rglob("*.py")
    if str(path.relative_to(PACKAGE)) not in NOT_OURS
) + [PACKAGE / "audit.py"]
FORBIDDEN_CALLS = re.compile(
    r"db\.session|\.query\b|set_committed_value|make_transient|no_autoflush|expunge|"
    r"\.commit\(|\.rollback\(|\.flush\("
)


def _ids(paths):
    return [str(path.relative_to(PACKAGE)) for path in paths]


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_module_imports_no_database_library_and_no_store_internals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            imported.add(module)
            if module.lstrip(".") == "store" or module.endswith(".store"):
                imported.update(f"store.{alias.name}" for alias in node.names)
    bad = {
        name
        for name in imported
        if name.split(".")[0] in {"sqlalchemy", "flask_sqlalchemy"}
        or name.lstrip(".").startswith(("store.rows", "store.base"))
        or name in {"store.db", "store.execute_plain", "store.read_plain", "store.insert_row"}
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_module_leaves_session_and_commits_to_the_store(path):
    source = path.read_text(encoding="utf-8")
    assert not FORBIDDEN_CALLS.findall(source)


def test_every_early_commit_of_these_modules_is_named_with_its_reason():
    named = set()
    for path in MODULES:
        named.update(re.findall(r'commit_now\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert named <= set(EARLY_COMMITS)
    assert {"sign-in try claimed", "security answers try claimed", "sso session ended"} <= named
    assert all(EARLY_COMMITS[name].strip() for name in named)
