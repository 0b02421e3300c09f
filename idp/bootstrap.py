"""Start-up work: tables, signing keys, client registrations and demo users."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

from .errors import DomainError, ValidationFailed
from .extensions import db, get_clock, get_hashing, get_key_store, get_settings
from .lifecycle.accounts import create_account, find_by_username
from .lifecycle.portal_claims import set_portal_claims
from .oidc.clients import load_clients_file
from .settings import SettingsError


@dataclass
class DemoUser:
    username: str
    password: str
    email: str


@dataclass
class ClientSummary:
    client_id: str
    client_name: str
    auth_method: str


@dataclass
class InitReport:
    keys_made: list = field(default_factory=list)
    clients: list = field(default_factory=list)
    demo_users: list[DemoUser] = field(default_factory=list)


def seed_users(path) -> list[DemoUser]:
    """Create the demo users of users.toml that do not exist yet."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SettingsError(f"users.seed_file: file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"users.seed_file: {path} is not valid TOML ({exc})") from None
    seeded = []
    hashes: dict[str, str] = {}
    for entry in data.get("user", []):
        demo = DemoUser(
            entry.get("username", ""), entry.get("password", ""), entry.get("email", "")
        )
        if not find_by_username(demo.username):
            if demo.password not in hashes:
                hashes[demo.password] = get_hashing().hash(demo.password)
            fields = {k: v for k, v in entry.items() if k != "claims"}
            try:
                user = create_account(**fields, password_hash=hashes[demo.password])
                if entry.get("claims") is not None:
                    set_portal_claims(user, entry["claims"], replace=True)
            except ValidationFailed as exc:
                raise SettingsError(f"users.seed_file: user {demo.username!r}: {exc}") from None
            except (DomainError, TypeError) as exc:
                raise SettingsError(f"users.seed_file: user {demo.username!r}: {exc}") from None
        seeded.append(demo)
    return seeded


def initialize(seed: bool | None = None) -> InitReport:
    """Create what a fresh checkout lacks; safe to run on every start."""
    settings = get_settings()
    report = InitReport()
    db.create_all()
    report.keys_made = get_key_store().ensure_keys(get_clock().now())
    clients = load_clients_file(settings.bundled_or_path("clients.file", "config/clients.toml"))
    report.clients = [
        ClientSummary(c.client_id, c.client_name, c.token_endpoint_auth_method) for c in clients
    ]
    if settings["users.seed"] if seed is None else seed:
        report.demo_users = seed_users(
            settings.bundled_or_path("users.seed_file", "config/users.toml")
        )
    db.session.commit()
    return report
