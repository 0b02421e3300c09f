"""Signing keys kept as JWK files in ``keys/`` and published at the JWKS endpoint.

Each file ``<kid>.json`` holds ``{kid, alg, created_at, retires_at, jwk}``.
The folder is re-read whenever its files change (name, inode, size or mtime),
so every worker, and every server sharing the folder, picks up a rotation
without a restart. Parsing a private key (RSA's consistency check above all)
costs tens of milliseconds, so each key is parsed once per process, and the
JWKS document is kept as bytes until the published set changes. A key with
``retires_at`` set no longer signs, and leaves the JWKS once that time has
passed (RFC 7517 key rollover).

Keys are made under a lock file in the folder, so threads, workers and servers
sharing it that find it empty together still make one key per algorithm.
``mock-ohid serve`` makes them in a background thread while it starts
(``ensure_keys_in_background``); until they exist, every read waits for them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

SUPPORTED_ALGS = ("RS256", "ES256")


class KeyError_(Exception):
    """A key file is unreadable or no key can sign."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    created_at: datetime
    retires_at: datetime | None
    jwk: dict

    @cached_property
    def _parsed(self):
        return RSAKey.import_key(self.jwk) if self.alg == "RS256" else ECKey.import_key(self.jwk)

    def private_key(self):
        """The parsed key (parsed on first use, then kept)."""
        return self._parsed

    @cached_property
    def _public(self) -> dict:
        data = self.private_key().as_dict(private=False)
        data.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return data

    def public_jwk(self) -> dict:
        return dict(self._public)


def _new_key(alg: str, now: datetime) -> SigningKey:
    if alg == "RS256":
        key = RSAKey.generate_key(2048, private=True)
    elif alg == "ES256":
        key = ECKey.generate_key("P-256", private=True)
    else:
        raise KeyError_(f"unsupported signing algorithm: {alg}")
    kid = f"{alg.lower()}-{now.strftime('%Y%m%d')}-{secrets.token_hex(4)}"
    jwk = key.as_dict(private=True)
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    return _with_parsed(SigningKey(kid, alg, now, None, jwk), key)


def _with_parsed(key: SigningKey, parsed) -> SigningKey:
    """``key`` with its parsed form already known, so it is not parsed again
    (RSA's consistency check costs tens of milliseconds)."""
    key.__dict__["_parsed"] = parsed  # where cached_property keeps it
    return key


def _lock_file(fd: int) -> None:
    """An exclusive lock on an open file, held until it is closed (flock; on Windows,
    where serve runs waitress without fork, msvcrt's lock of its first byte)."""
    try:
        import fcntl
    except ImportError:
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                # LK_LOCK gives up after ten seconds; keep waiting as flock does.
                continue
    fcntl.flock(fd, fcntl.LOCK_EX)


class KeyStore:
    """The folder of signing keys, cached until its files change."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._signature: tuple = ()
        self._keys: list[SigningKey] = []
        self._by_kid: dict[str, SigningKey] = {}
        self._jwks: tuple[tuple, bytes] = ((), b"")
        self._making = threading.Lock()
        # Cleared while a background thread makes the missing keys; readers wait.
        self._ready = threading.Event()
        self._ready.set()
        self._background_error: BaseException | None = None

    def _scan(self) -> list[tuple]:
        """(name, inode, size, mtime) of every key file: cheap, and changes on any rewrite."""
        try:
            entries = list(os.scandir(self.directory))
        except (FileNotFoundError, NotADirectoryError):
            return []
        found = []
        for entry in entries:
            if entry.name.endswith(".json") and entry.is_file():
                info = entry.stat()
                found.append((entry.name, info.st_ino, info.st_size, info.st_mtime_ns))
        return sorted(found)

    def keys(self) -> list[SigningKey]:
        """All keys on disk, oldest first (re-read when the folder changed)."""
        if not self._ready.is_set():
            self._ready.wait()
        if self._background_error is not None:
            raise KeyError_(f"signing keys could not be made: {self._background_error}")
        return self._current()

    def _current(self) -> list[SigningKey]:
        signature = tuple(self._scan())
        with self._lock:
            if signature != self._signature:
                keys = []
                for name, *_ in signature:
                    key = self._read(self.directory / name)
                    known = self._by_kid.get(key.kid)
                    # A key whose file did not change keeps its parsed form; a new
                    # one is parsed now, so a malformed JWK is refused at once.
                    keys.append(known if known == key else self._parsed(key, name))
                self._keys = sorted(keys, key=lambda k: k.created_at)
                self._by_kid = {k.kid: k for k in self._keys}
                self._signature = signature
            return list(self._keys)

    @staticmethod
    def _read(path: Path) -> SigningKey:
        try:
            data = json.loads(path.read_text())
            retires = data.get("retires_at")
            key = SigningKey(
                kid=data["kid"],
                alg=data["alg"],
                created_at=datetime.fromisoformat(data["created_at"]),
                retires_at=datetime.fromisoformat(retires) if retires else None,
                jwk=data["jwk"],
            )
            if key.alg not in SUPPORTED_ALGS:
                raise ValueError(f"unsupported alg {key.alg!r}")
            return key
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            reason = f"{type(exc).__name__}: {exc}" if isinstance(exc, KeyError) else str(exc)
            raise KeyError_(f"unreadable key file {path}: {reason}") from None

    def _parsed(self, key: SigningKey, name: str) -> SigningKey:
        try:
            key.private_key()
        except (JoseError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyError_(f"malformed JWK in key file {self.directory / name}: {exc!r}") from None
        return key

    def _remember(self, key: SigningKey) -> None:
        """Keep a key just written in its parsed form for the next re-read."""
        with self._lock:
            self._by_kid[key.kid] = key

    @contextmanager
    def _folder_lock(self) -> Iterator[None]:
        """Held while keys are made or rotated, by this process's threads and by others."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._making:
            fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock_file(fd)
                yield
            finally:
                os.close(fd)

    def _write(self, key: SigningKey) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        payload = {
            "kid": key.kid,
            "alg": key.alg,
            "created_at": key.created_at.isoformat(),
            "retires_at": key.retires_at.isoformat() if key.retires_at else None,
            "jwk": key.jwk,
        }
        target = self.directory / f"{key.kid}.json"
        temp = target.with_suffix(".tmp")
        # Private keys: readable by the owner only; renamed into place atomically.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(payload, handle, indent=2)
        os.replace(temp, target)
        self._remember(key)

    def _missing_algs(self) -> list[str]:
        signing = {k.alg for k in self._current() if k.retires_at is None}
        return [alg for alg in SUPPORTED_ALGS if alg not in signing]

    def ensure_keys(self, now: datetime) -> list[SigningKey]:
        """Generate one key per supported algorithm that has no signing key yet."""
        if not self._missing_algs():
            return []
        with self._folder_lock():
            # Read again under the lock: another process may have just made them.
            made = [_new_key(alg, now) for alg in self._missing_algs()]
            for key in made:
                self._write(key)
        return made

    def ensure_keys_in_background(self, now: datetime) -> threading.Thread | None:
        """Make the missing keys in a thread; reads wait until it is done.

        Existing key files are read (and a malformed one refused) before this returns.
        """
        if not self._missing_algs():
            return None
        self._ready.clear()

        def make() -> None:
            try:
                self.ensure_keys(now)
            except Exception as exc:  # noqa: BLE001 - every reader reports it instead
                logging.getLogger(__name__).exception("signing keys could not be made")
                self._background_error = exc
            finally:
                self._ready.set()

        thread = threading.Thread(target=make, name="mock-ohid-keys", daemon=True)
        thread.start()
        return thread

    def generate(self, alg: str, now: datetime) -> SigningKey:
        """Add a new key for ``alg`` beside the existing ones."""
        key = _new_key(alg, now)
        with self._folder_lock():
            self._write(key)
        return key

    def rotate(self, alg: str, now: datetime, retire_after: timedelta) -> SigningKey:
        """Add a new signing key; the old ones stop signing and retire later."""
        new_key = _new_key(alg, now)
        with self._folder_lock():
            for old in self._current():
                if old.alg == alg and old.retires_at is None:
                    retiring = SigningKey(
                        old.kid, old.alg, old.created_at, now + retire_after, old.jwk
                    )
                    self._write(_with_parsed(retiring, old.private_key()))
            self._write(new_key)
        return new_key

    def signing_key(self, alg: str, now: datetime, required: bool = True) -> SigningKey | None:
        """The newest key of ``alg`` that is not retiring."""
        candidates = [k for k in self.keys() if k.alg == alg and k.retires_at is None]
        if not candidates:
            if required:
                raise KeyError_(f"no {alg} signing key in {self.directory}")
            return None
        return candidates[-1]

    def published(self, now: datetime) -> list[SigningKey]:
        """Keys in the JWKS: signing keys and retiring keys not yet past retirement."""
        return [k for k in self.keys() if k.retires_at is None or k.retires_at > now]

    def jwks(self, now: datetime) -> dict:
        return {"keys": [k.public_jwk() for k in self.published(now)]}

    def jwks_bytes(self, now: datetime) -> bytes:
        """The JWKS as JSON bytes, serialized again only when the published keys change."""
        published = self.published(now)
        ident = tuple(published)
        cached_ident, body = self._jwks
        if ident != cached_ident:
            keys = [k.public_jwk() for k in published]
            body = json.dumps({"keys": keys}, separators=(",", ":")).encode()
            self._jwks = (ident, body)
        return body

    def verification_key_set(self, now: datetime) -> KeySet:
        """The published keys as a joserfc KeySet, for checking our own tokens."""
        return KeySet([k.private_key() for k in self.published(now)])
