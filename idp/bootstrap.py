"""Start-up work: the schema (made or upgraded), signing keys, client registrations and
demo users."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from .errors import DomainError
from .extensions import get_clock, get_hashing, get_key_store, get_settings
from .lifecycle.accounts import create_account, find_by_username
from .lifecycle.portal_claims import set_portal_claims
from .oidc.clients import ClientConfigError, load_clients_file
from .policy.usernames import username_key
from .seed_file import hash_each, read_seed_file, seed_path
from .settings import SettingsError
from .store import qa as qa_store
from .store.engine import schema_to_head
from .store.units import finish_unit


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


def seed_users(path, entries: list[dict] | None = None, hashes=None) -> list[DemoUser]:
    """Create the demo users of users.toml that do not exist yet (written with the unit
    of work).

    ``hashes`` may be a future of the password hashes already being made.
    """
    entries = read_seed_file(path) if entries is None else entries
    made: dict[str, str] | None = None
    seeded = []
    for entry in entries:
        demo = DemoUser(
            str(entry.get("username", "")), str(entry.get("password", "")), entry.get("email", "")
        )
        if not find_by_username(demo.username):
            if made is None:
                made = hashes.result() if hashes is not None else {}
            if demo.password not in made:
                made[demo.password] = get_hashing().hash(demo.password)
            fields = {k: v for k, v in entry.items() if k != "claims"}
            try:
                user = create_account(**fields, password_hash=made[demo.password])
                if entry.get("claims") is not None:
                    set_portal_claims(user, entry["claims"], replace=True)
            except (DomainError, TypeError) as exc:
                raise SettingsError(f"users.seed_file: user {demo.username!r}: {exc}") from None
        seeded.append(demo)
    return seeded


def _missing_passwords(entries: list[dict]) -> set[str]:
    """Passwords of the seed users not in the database yet (read without the ORM, whose
    first query configures every mapper: that happens beside the hashing instead)."""
    wanted = {username_key(str(entry.get("username", ""))) for entry in entries}
    existing = qa_store.existing_username_keys(wanted)
    return {
        str(entry.get("password", ""))
        for entry in entries
        if entry.get("password") and username_key(str(entry.get("username", ""))) not in existing
    }


def _seed_path():
    return seed_path(get_settings())


def _load_clients(report: InitReport) -> None:
    path = get_settings().clients_file_path
    try:
        clients = load_clients_file(path)
    except ClientConfigError as exc:
        raise SettingsError(f"clients.file: {exc}") from None
    report.clients = [
        ClientSummary(c.client_id, c.client_name, c.token_endpoint_auth_method) for c in clients
    ]


def initialize(
    seed: bool | None = None, keys_in_background: bool = False, hashes: Future | None = None
) -> InitReport:
    """Create what a fresh checkout lacks; safe to run on every start.

    With ``keys_in_background`` missing signing keys are made in a thread while
    the caller goes on (a server starting to answer); every use of the keys
    waits for them, so ``keys_made`` stays empty. ``hashes`` may be a future of
    the seed passwords' hashes already being made (``early_seed_hashes``).
    """
    settings = get_settings()
    report = InitReport()
    # Made, or upgraded with every row kept; one server does it while others wait.
    schema_to_head()
    entries = None
    seeding = settings.users.seed if seed is None else seed
    if seeding:
        entries = read_seed_file(_seed_path())
    # argon2 releases the GIL: the demo password is hashed while clients are loaded
    # (and, without keys_in_background, keys are made).
    with ThreadPoolExecutor(max_workers=1) as pool:
        if entries and hashes is None:
            hashes = pool.submit(hash_each, get_hashing(), _missing_passwords(entries))
        if not keys_in_background:
            report.keys_made = get_key_store().ensure_keys(get_clock().now())
        _load_clients(report)
        if seeding:
            report.demo_users = seed_users(_seed_path(), entries, hashes)
    # Start-up is its own unit of work, committed before the server answers.
    finish_unit()
    if keys_in_background:
        # Started last: the demo password's hash is what start-up waits for.
        get_key_store().ensure_keys_in_background(get_clock().now())
    return report


def reset_data() -> InitReport:
    """Empty every table and seed it again, in the caller's unit of work.

    Tables stay in place, so requests running beside a reset see either the
    old rows or the new ones, never a missing table. The clock's row goes
    too, so every worker is back to real time.
    """
    report = InitReport()
    entries = read_seed_file(_seed_path()) if get_settings().users.seed else []
    # Hash before the first write: SQLite holds its write lock until the commit.
    hashes: Future = Future()
    passwords = {str(entry.get("password", "")) for entry in entries}
    hashes.set_result(hash_each(get_hashing(), passwords))
    qa_store.empty_every_table()
    _load_clients(report)
    report.demo_users = seed_users(_seed_path(), entries, hashes)
    return report
