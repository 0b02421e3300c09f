"""The demo users' file (``users.seed_file``) and the hashing of their passwords.

Kept apart from ``bootstrap`` (which loads the models and the account rules) so
that start-up can begin hashing before the app is built: argon2 releases the
GIL, and the standard profile takes a few hundred milliseconds.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .crypto.hashing import PasswordHashing
from .settings import Settings, SettingsError, read_toml


def seed_path(settings: Settings) -> Path:
    """The seed file the settings name, or the bundled config/users.toml."""
    return settings.seed_file_path


def read_seed_file(path: Path) -> list[dict]:
    """The ``[[user]]`` tables of a seed file; SettingsError naming the file if it is bad."""
    entries = read_toml(path, "users.seed_file").get("user", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SettingsError(f"users.seed_file: {path} must hold [[user]] tables")
    return entries


def hash_each(hashing: PasswordHashing, passwords: set[str]) -> dict[str, str]:
    """Each password's hash (seed users sharing a password share its hash)."""
    return {password: hashing.hash(password) for password in passwords}


def hash_in_background(hashing: PasswordHashing, passwords: set[str]) -> Future:
    """A future of ``hash_each``, computed in a thread of its own."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-ohid-hash")
    try:
        return pool.submit(hash_each, hashing, passwords)
    finally:
        # The thread ends when the hashes are made; nobody waits for it here.
        pool.shutdown(wait=False)
