"""Settings: defaults, then a --config file, then MOCK_OHID_* variables, then the command line.

Each TOML table is one frozen dataclass below and each of its keys one field;
:class:`Settings` holds one attribute per table, so a setting is read as
``get_settings().database.url`` or ``settings.qa.allowed_hosts``. A field's
annotation is its validation: every layer's value is checked against it by
:func:`typed_value` (``bool``, ``int``, ``float``, ``str``, ``tuple[str, ...]``,
``Literal`` choices, an ``Enum``, ``Optional``; ``Annotated[int, Between(...)]``
for bounds and ``Annotated[..., Rule(check)]`` for what a type cannot say). A bad
value raises :class:`SettingsError`, one line naming the setting.

To add a setting, add one field to its table's dataclass, with its default and a
comment saying what it does. Users write it as ``key`` under ``[table]`` in TOML
and as ``MOCK_OHID_TABLE_KEY`` in the environment; list it with the same default
and comment in ``config/default.toml``, the reference users read (a unit test
checks that the file and the dataclasses agree). A new table is a new dataclass
and one field of :class:`Settings`.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from .policy.claims import SCOPES_SUPPORTED
from .policy.fetch_rules import FetchRule, normal_host
from .resources import bundled_path

ENV_PREFIX = "MOCK_OHID_"


class SettingsError(ValueError):
    """A setting has a bad value; the message names it in one line."""


@dataclass(frozen=True)
class Between:
    """Bounds of a number setting, either side open when None."""

    low: int | None = None
    high: int | None = None

    def check(self, name: str, value: float) -> None:
        """SettingsError naming ``name`` when ``value`` is out of bounds."""
        if self.low is not None and self.high is not None:
            rule = f"must be between {self.low} and {self.high}"
        elif self.low == 0:
            rule = "must not be negative"
        elif self.low is not None:
            rule = f"must be at least {self.low}"
        else:
            rule = f"must be at most {self.high}"
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise SettingsError(f"{name}: {rule}, got {value}")


@dataclass(frozen=True)
class Rule:
    """A check no type says: ``check(name, value)`` returns the value or raises SettingsError.

    It sees the value as the layers gave it (a list is still a list), before its entries
    are checked, so it can name what is wrong in its own words.
    """

    check: Callable[[str, Any], Any]


NonNegative = Annotated[int, Between(0)]
Port = Annotated[int, Between(0, 65535)]
Digits = Annotated[int, Between(4, 12)]


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def parse_host_names(entries: list | tuple) -> list[str]:
    """``server.internal_hosts``: DNS host names, lower-cased; SettingsError on anything else."""
    names = []
    for entry in entries:
        name = entry.strip().lower() if isinstance(entry, str) else entry
        if not isinstance(name, str) or not _HOST_NAME.fullmatch(name):
            raise SettingsError(
                f"server.internal_hosts: {name!r} is not a host name "
                "(give names such as mock-ohid, without scheme or port)"
            )
        names.append(name)
    return names


def _issuer_url(name: str, issuer: str) -> str:
    parts = urlsplit(issuer)
    # An empty issuer follows the bound port; any other must be an http(s) URL.
    if issuer and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise SettingsError(f"{name}: must be an http(s) URL, got {issuer!r}")
    if parts.query or parts.fragment or issuer.endswith("/"):
        raise SettingsError(f"{name}: must have no query, fragment or trailing slash")
    return issuer


def _not_empty(name: str, value: str) -> str:
    if not value:
        raise SettingsError(f"{name}: must not be empty")
    return value


def _host_names(name: str, entries: list | tuple) -> tuple[str, ...]:
    return tuple(parse_host_names(entries))


def _database_url(name: str, url: str) -> str:
    if "://" not in url:
        raise SettingsError(f"{name}: not an SQLAlchemy URL: {url!r}")
    return url


def _known_scopes(name: str, scopes: str) -> str:
    unknown = set(scopes.split()) - set(SCOPES_SUPPORTED)
    if unknown:
        raise SettingsError(
            f"{name}: unknown scope {sorted(unknown)[0]!r} "
            f"(supported: {' '.join(SCOPES_SUPPORTED)})"
        )
    return scopes


@dataclass(frozen=True)
class ServerSettings:
    # The issuer; empty: http(s)://localhost:PORT of the port really bound.
    issuer: Annotated[str, Rule(_issuer_url)] = ""
    # Address and port `serve` binds to (port 0: any free port).
    host: Annotated[str, Rule(_not_empty)] = "127.0.0.1"
    port: Port = 8765
    # Host names portals' backends reach this server by (back-channel endpoints).
    internal_hosts: Annotated[tuple[str, ...], Rule(_host_names)] = ()
    # Serve HTTPS with a certificate of the local CA, or tls_cert/tls_key when set.
    https: bool = False
    tls_cert: str = ""
    tls_key: str = ""
    # The HTTP server: gunicorn where processes can fork, waitress elsewhere.
    engine: Literal["auto", "gunicorn", "waitress"] = "auto"
    # Signs cookies; empty: generated once into the keys folder.
    secret_key: str = field(default="", repr=False)
    # Shown on Sign In, Help, Create One Healthcare ID and the lockout page.
    support_phone: str = "1-855-819-5909"
    support_email: str = "optumsupport@optum.com"
    # Writable working folder (the default SQLite database, the served issuer).
    instance_dir: str = "instance"
    # Largest request body, in KB; larger ones get a 413.
    max_request_kb: Annotated[int, Between(16, 1_048_576)] = 1024


@dataclass(frozen=True)
class DatabaseSettings:
    # Any SQLAlchemy URL; SQLite files run in WAL mode.
    url: Annotated[str, Rule(_database_url)] = "sqlite:///instance/mock-ohid.db"


@dataclass(frozen=True)
class KeySettings:
    # Folder of signing keys, generated when empty.
    dir: str = "keys"
    # Hours a retired key stays in the JWKS after `keys rotate`.
    retire_after_hours: int = 24


@dataclass(frozen=True)
class ClientSettings:
    # Client registrations loaded at start-up; empty: the bundled config/clients.toml.
    file: str = ""
    # RFC 7591 dynamic client registration at /register.
    dynamic_registration: bool = True
    # Every client takes only the authentication method it was registered for.
    strict_auth_method: bool = False
    # Scopes added to every OpenID Connect request of a client.
    default_scopes: Annotated[str, Rule(_known_scopes)] = "profile email"
    # private_key_jwt: the longest lifetime an assertion may have.
    max_assertion_seconds: Annotated[int, Between(1)] = 300


@dataclass(frozen=True)
class UserSettings:
    # Demo users seeded at start-up; empty: the bundled config/users.toml.
    seed_file: str = ""
    # Seed demo users at all.
    seed: bool = True


@dataclass(frozen=True)
class SecuritySettings:
    # argon2id profile: "standard" (argon2-cffi defaults) or "fast" (test suites).
    password_hash_profile: Literal["standard", "fast"] = "standard"  # noqa: S105 - a name
    # Ask every new browser for a security answer or a code at sign-in.
    unrecognized_device_check: bool = False
    # Mark cookies Secure (automatic when the issuer is https).
    secure_cookies: bool = False
    # Security alerts sent per event, channel and user in any hour.
    alerts_per_hour: int = 5
    # Where the server may fetch from besides loopback and the issuer's host.
    allowed_fetch_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class UsernameRules:
    min_length: NonNegative = 6
    max_length: NonNegative = 50
    # Characters a One Healthcare ID may not contain (space is always forbidden too).
    forbidden_symbols: str = "%+\"&[]\\^'{|}<>#/,;():*~=-"


@dataclass(frozen=True)
class PasswordRules:
    min_length: NonNegative = 8
    max_length: NonNegative = 100
    # Days before a password expires, and days of warning before that.
    max_age_days: NonNegative = 90
    warn_days: NonNegative = 14
    # Previous passwords that cannot be reused.
    history: NonNegative = 5


@dataclass(frozen=True)
class CodeRules:
    # Email activation code: digits and lifetime.
    email_activation_digits: Digits = 10
    email_activation_hours: NonNegative = 24
    # SMS, call and email one-time codes: digits, lifetime, wrong tries.
    otp_digits: Digits = 6
    otp_minutes: NonNegative = 10
    max_attempts: NonNegative = 5
    # Resend cool-down and hourly cap per destination.
    resend_cooldown_seconds: NonNegative = 30
    resend_per_hour: NonNegative = 5


@dataclass(frozen=True)
class LockoutRules:
    # Failed sign-ins in a row before the account locks, and for how long.
    max_failed_sign_ins: NonNegative = 5
    lock_minutes: NonNegative = 30


@dataclass(frozen=True)
class SessionRules:
    # SSO session idle and absolute lifetimes.
    idle_minutes: NonNegative = 30
    absolute_hours: NonNegative = 12
    # "Remember this device" for the second factor.
    remember_device_days: NonNegative = 30


@dataclass(frozen=True)
class AccountSettings:
    # Days without a sign-in before the One Healthcare ID is deactivated (0: never).
    inactivity_days: int = 0


@dataclass(frozen=True)
class RecoverySettings:
    # Digits of the single-use recovery code.
    code_digits: int = 16


@dataclass(frozen=True)
class TokenLifetimes:
    # Lifetimes of what /token issues, in seconds.
    authorization_code_seconds: NonNegative = 600
    access_token_seconds: NonNegative = 3600
    id_token_seconds: NonNegative = 3600
    refresh_token_seconds: NonNegative = 2592000
    # "jwt" (RFC 9068) or "opaque", and the JWT's typ header.
    access_token_format: Literal["jwt", "opaque"] = "jwt"  # noqa: S105 - a format
    access_token_typ: Literal["at+jwt", "JWT"] = "at+jwt"  # noqa: S105 - a header value
    # OIDC Core §11 read strictly: refresh tokens only for offline_access.
    refresh_token_requires_offline_access: bool = False
    # RFC 9700 §4.14.2 rotation, with a window in which the just-rotated
    # refresh token may be presented again (concurrent refreshes).
    refresh_grace_seconds: NonNegative = 30


@dataclass(frozen=True)
class MailSettings:
    # SMTP server for real delivery; empty records to the outbox only.
    server: str = ""
    port: int = 25
    use_tls: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str = "One Healthcare ID <noreply@onehealthcareid.example>"


@dataclass(frozen=True)
class QASettings:
    # Bearer token /_qa requires when set (and always off loopback).
    token: str = field(default="", repr=False)
    # Host names /_qa answers besides loopback and the issuer's host.
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoSettings:
    # `mock-ohid demo`: the first of five consecutive portal ports (0: any free ports).
    portal_ports: Annotated[int, Between(0, 65535 - 4)] = 5001


@dataclass(frozen=True)
class Settings:
    """Every setting, one attribute per table (``settings.server.port``), and what follows."""

    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    keys: KeySettings = KeySettings()
    clients: ClientSettings = ClientSettings()
    users: UserSettings = UserSettings()
    security: SecuritySettings = SecuritySettings()
    username: UsernameRules = UsernameRules()
    password: PasswordRules = PasswordRules()
    codes: CodeRules = CodeRules()
    lockout: LockoutRules = LockoutRules()
    session: SessionRules = SessionRules()
    account: AccountSettings = AccountSettings()
    recovery: RecoverySettings = RecoverySettings()
    tokens: TokenLifetimes = TokenLifetimes()
    mail: MailSettings = MailSettings()
    qa: QASettings = QASettings()
    demo: DemoSettings = DemoSettings()
    # Which layer set each setting not at its default: "MOCK_OHID_SERVER_PORT", a
    # --config file's path, or "overrides" (the command line, tests), by "table.key".
    origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def issuer(self) -> str:
        """``server.issuer``, or when it is empty the URL of the port the server is bound to."""
        return self.server.issuer or _issuer_for(self.server)

    @property
    def issuer_is_derived(self) -> bool:
        """True when no issuer is set and it follows the bound port."""
        return not self.server.issuer

    def issuer_origin(self) -> str:
        """Where the issuer came from, in a few words for the start-up banner."""
        if self.issuer_is_derived:
            return "follows the port it listens on; set server.issuer to fix it"
        origin = self.origins.get("server.issuer", "")
        if origin.startswith("from "):
            return origin
        if origin.startswith(ENV_PREFIX):
            return f"from {origin}"
        if origin == "overrides":
            return "from the command line"
        return f"from server.issuer in {origin}" if origin else "from server.issuer"

    @property
    def tls(self) -> bool:
        """Whether the server speaks HTTPS (``server.https`` or a certificate of one's own)."""
        return self.server.https or bool(self.server.tls_cert)

    @property
    def internal_hosts(self) -> frozenset[str]:
        """The host names of ``server.internal_hosts``, lower-cased."""
        return frozenset(self.server.internal_hosts)

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when asked to, and always on an https issuer."""
        return self.security.secure_cookies or self.issuer.startswith("https://")

    @property
    def rp_id(self) -> str:
        """The WebAuthn relying-party id: the issuer's host name."""
        return urlsplit(self.issuer).hostname or "localhost"

    @property
    def issuer_host_is_ip(self) -> bool:
        host = self.rp_id
        return host.replace(".", "").isdigit() or ":" in host

    @cached_property
    def fetch_rule(self) -> FetchRule:
        """Where the server may fetch from: ``security.allowed_fetch_hosts`` and the issuer."""
        return FetchRule.from_entries([*self.security.allowed_fetch_hosts, self.rp_id])

    @cached_property
    def qa_hosts(self) -> frozenset[str]:
        """The Host names /_qa answers: loopback, the issuer's host and ``qa.allowed_hosts``."""
        return frozenset(
            normal_host(h)
            for h in ("localhost", "127.0.0.1", "::1", self.rp_id, *self.qa.allowed_hosts)
        )

    @staticmethod
    def path(value: str) -> Path:
        """A path setting's value, resolved against the current directory."""
        return Path(value).expanduser().resolve()

    @property
    def clients_file_path(self) -> Path:
        """The clients file: ``clients.file``, or the bundled ``config/clients.toml``."""
        return _file_or_bundled(self.clients.file, "config/clients.toml")

    @property
    def seed_file_path(self) -> Path:
        """The seed file: ``users.seed_file``, or the bundled ``config/users.toml``."""
        return _file_or_bundled(self.users.seed_file, "config/users.toml")


def _file_or_bundled(value: str, bundled_name: str) -> Path:
    return Path(value).expanduser().resolve() if value else bundled_path(bundled_name)


def read_toml(path: Path, label: str) -> dict[str, Any]:
    """The tables of a TOML file; SettingsError naming ``label`` and the file if it is bad."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"{label}: file not found: {path}") from None
    except IsADirectoryError:
        raise SettingsError(f"{label}: {path} is a directory, not a TOML file") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{label}: {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{label}: {path} is not valid TOML ({exc})") from None


# --- Validation from the field types -------------------------------------------------

_PLURAL = {str: "strings", int: "whole numbers", float: "numbers", bool: "true or false"}


def _unwrap(hint: Any) -> tuple[Any, bool, tuple]:
    """(type, may be None, Annotated metadata) of a field annotation."""
    optional, extras = False, ()
    while True:
        origin = get_origin(hint)
        if origin is Annotated:
            hint, *more = get_args(hint)
            extras += tuple(more)
        elif origin in (Union, types.UnionType) and type(None) in get_args(hint):
            rest = [arg for arg in get_args(hint) if arg is not type(None)]
            if len(rest) != 1:
                raise TypeError(f"unsupported setting type {hint!r}")
            hint, optional = rest[0], True
        else:
            return hint, optional, extras


def _plain_type(hint: Any) -> type:
    """The TOML value type a field takes: bool, int, float, str or list."""
    origin = get_origin(hint)
    if origin in (list, tuple):
        return list
    if origin is Literal:
        return type(get_args(hint)[0])
    if isinstance(hint, type) and issubclass(hint, Enum):
        return type(next(iter(hint)).value)
    if hint in (bool, int, float, str):
        return hint
    raise TypeError(f"unsupported setting type {hint!r}")


def _is_a(value: Any, plain: type) -> bool:
    if plain is bool:
        return isinstance(value, bool)
    if plain is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if plain is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if plain is list:
        return isinstance(value, list | tuple)
    return isinstance(value, plain)


def check_type(name: str, value: Any, hint: Any) -> None:
    """SettingsError unless ``value`` has the TOML type of a field annotated ``hint``."""
    base, optional, _ = _unwrap(hint)
    if value is None and optional:
        return
    plain = _plain_type(base)
    if not _is_a(value, plain):
        raise SettingsError(f"{name}: expected {plain.__name__}, got {value!r}")


def _choice(name: str, value: Any, hint: Any) -> Any:
    """A Literal's or an Enum's member for ``value``; SettingsError naming the choices."""
    if get_origin(hint) is Literal:
        choices, member = get_args(hint), value
    else:
        choices = tuple(item.value for item in hint)
        member = hint(value) if value in choices else None
    if value not in choices:
        listed = ", ".join(str(choice) for choice in choices)
        raise SettingsError(f"{name}: must be one of {listed}, got {value!r}")
    return member


def typed_value(name: str, value: Any, hint: Any) -> Any:
    """``value`` as the field annotated ``hint`` holds it; SettingsError naming ``name``.

    Lists become tuples for ``tuple[...]`` fields, whole numbers floats for ``float``,
    values Enum members; Literal and Enum choices and ``Between`` bounds are checked.
    """
    check_type(name, value, hint)
    base, optional, extras = _unwrap(hint)
    if value is None and optional:
        return None
    for rule in extras:
        if isinstance(rule, Rule):
            value = rule.check(name, value)
    origin = get_origin(base)
    if origin in (list, tuple):
        item = get_args(base)[0]
        plain = _plain_type(item)
        for entry in value:
            if not _is_a(entry, plain):
                raise SettingsError(f"{name}: entries must be {_PLURAL[plain]}, got {entry!r}")
        entries = [typed_value(name, entry, item) for entry in value]
        value = tuple(entries) if origin is tuple else entries
    elif origin is Literal or (isinstance(base, type) and issubclass(base, Enum)):
        value = _choice(name, value, base)
    elif base is float:
        value = float(value)
    for bounds in extras:
        if isinstance(bounds, Between):
            bounds.check(name, value)
    return value


def from_environment(variable: str, raw: str, hint: Any) -> Any:
    """An environment variable's text as the TOML value of a field annotated ``hint``.

    Lists are comma-separated; an empty variable sets an Optional field to None.
    """
    base, optional, _ = _unwrap(hint)
    if optional and not raw.strip():
        return None
    plain = _plain_type(base)
    if plain is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{variable}: expected true or false, got {raw!r}")
    if plain is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if plain is int:
        try:
            return int(raw.strip())
        except ValueError:
            raise SettingsError(f"{variable}: expected a whole number, got {raw!r}") from None
    if plain is float:
        try:
            return float(raw.strip())
        except ValueError:
            raise SettingsError(f"{variable}: expected a number, got {raw!r}") from None
    return raw


@cache
def field_types(cls: type) -> dict[str, Any]:
    """The annotations of a settings dataclass's fields, by field name."""
    hints = get_type_hints(cls, include_extras=True)
    return {item.name: hints[item.name] for item in fields(cls)}


def defaults_of(cls: type) -> dict[str, Any]:
    """A settings dataclass's defaults, by field name."""
    return {
        item.name: item.default if item.default_factory is MISSING else item.default_factory()
        for item in fields(cls)
    }


def section_from(cls: type, table: str, values: Mapping[str, Any]) -> Any:
    """The ``cls`` of TOML table ``table`` from ``values`` (every field), each checked."""
    return cls(
        **{
            key: typed_value(f"{table}.{key}", values[key], hint)
            for key, hint in field_types(cls).items()
        }
    )


@cache
def _sections() -> dict[str, type]:
    """The TOML tables and their dataclasses, in the order of the reference file."""
    hints = field_types(Settings)
    return {item.name: hints[item.name] for item in fields(Settings) if item.name != "origins"}


# --- The layers ------------------------------------------------------------------------


def _merge(
    base: dict, layer: Mapping, label: str, sections: Mapping[str, type], origins: dict
) -> None:
    for section, entries in layer.items():
        if section not in base:
            raise SettingsError(f"{label}: unknown section [{section}]")
        if not isinstance(entries, Mapping):
            raise SettingsError(f"{label}: [{section}] must be a table")
        hints = field_types(sections[section])
        for key, value in entries.items():
            if key not in hints:
                raise SettingsError(f"{label}: unknown setting {section}.{key}")
            check_type(f"{section}.{key}", value, hints[key])
            base[section][key] = value
            origins[f"{section}.{key}"] = (
                f"{ENV_PREFIX}{section.upper()}_{key.upper()}" if label == "environment" else label
            )


def _issuer_for(server: ServerSettings) -> str:
    """The issuer of a server with none set: localhost (or the name it binds to) and its port."""
    host = server.host
    try:
        ipaddress.ip_address(host.strip("[]"))
        is_name = False
    except ValueError:
        is_name = True
    if not is_name:
        # A browser reaches a loopback or wildcard address as localhost, and an IP
        # address is no WebAuthn rp id: localhost is the one name that always works.
        host = "localhost"
    scheme = "https" if server.https or server.tls_cert else "http"
    default_port = 443 if scheme == "https" else 80
    port = "" if server.port == default_port else f":{server.port}"
    return f"{scheme}://{host}{port}"


def _env_layer(sections: Mapping[str, type], environ: Mapping[str, str]) -> dict:
    layer: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in sections if rest.startswith(s + "_")), None)
        if section is None:
            raise SettingsError(f"{name}: no such setting section")
        key = rest[len(section) + 1 :]
        hints = field_types(sections[section])
        if key not in hints:
            raise SettingsError(f"{name}: unknown setting {section}.{key}")
        layer.setdefault(section, {})[key] = from_environment(name, raw, hints[key])
    return layer


def _nest(overrides: Mapping[str, Any]) -> dict:
    """Accept overrides as {"table.key": v} or {"table": {"key": v}}: the names of the TOML."""
    nested: dict[str, dict[str, Any]] = {}
    for name, value in overrides.items():
        if "." in name:
            section, key = name.split(".", 1)
            nested.setdefault(section, {})[key] = value
        else:
            nested.setdefault(name, {}).update(value)
    return nested


def _check_together(settings: Settings) -> None:
    """The rules that span several settings, or need a whole list."""
    server = settings.server
    if bool(server.tls_cert) != bool(server.tls_key):
        raise SettingsError("server.tls_cert and server.tls_key: set both or neither")
    for section, rules in (("username", settings.username), ("password", settings.password)):
        if rules.min_length > rules.max_length:
            raise SettingsError(f"{section}.min_length: is larger than {section}.max_length")
    for entry in settings.security.allowed_fetch_hosts:
        try:
            FetchRule.from_entries([entry])
        except ValueError as exc:
            raise SettingsError(f"security.allowed_fetch_hosts: {exc}") from None
    try:
        # The issuer's host joins the fetch rule; built now so a bad one stops start-up.
        settings.fetch_rule  # noqa: B018
    except ValueError as exc:
        named = "server.host" if settings.issuer_is_derived else "server.issuer"
        raise SettingsError(f"{named}: {exc}") from None


def load_settings(
    config_file: str | os.PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from the defaults and the layers above them."""
    environ = os.environ if environ is None else environ
    sections = _sections()
    values = {name: defaults_of(cls) for name, cls in sections.items()}
    origins: dict[str, str] = {}
    config_file = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        layer = read_toml(Path(config_file), "--config")
        _merge(values, layer, str(config_file), sections, origins)
    _merge(values, _env_layer(sections, environ), "environment", sections, origins)
    if overrides:
        _merge(values, _nest(overrides), "overrides", sections, origins)
    settings = Settings(
        **{name: section_from(cls, name, values[name]) for name, cls in sections.items()},
        origins=origins,
    )
    _check_together(settings)
    return settings
