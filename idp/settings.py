"""Settings: config/default.toml, then a --config file, then MOCK_OHID_* variables.

Every setting has a default in ``config/default.toml``; a layer may only set
names that exist there, and only with a value of the same type. A bad value
raises :class:`SettingsError` whose message is one line naming the setting.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .policy.claims import SCOPES_SUPPORTED
from .policy.fetch_rules import FetchRule, normal_host
from .resources import bundled_path

ENV_PREFIX = "MOCK_OHID_"
HASH_PROFILES = ("standard", "fast")


class SettingsError(ValueError):
    """A setting has a bad value; the message names it in one line."""


@dataclass(frozen=True)
class UsernameRules:
    min_length: int
    max_length: int
    forbidden_symbols: str


@dataclass(frozen=True)
class PasswordRules:
    min_length: int
    max_length: int
    max_age_days: int
    warn_days: int
    history: int


@dataclass(frozen=True)
class CodeRules:
    email_activation_digits: int
    email_activation_hours: int
    otp_digits: int
    otp_minutes: int
    max_attempts: int
    resend_cooldown_seconds: int
    resend_per_hour: int


@dataclass(frozen=True)
class LockoutRules:
    max_failed_sign_ins: int
    lock_minutes: int


@dataclass(frozen=True)
class SessionRules:
    idle_minutes: int
    absolute_hours: int
    remember_device_days: int


@dataclass(frozen=True)
class TokenLifetimes:
    authorization_code_seconds: int
    access_token_seconds: int
    id_token_seconds: int
    refresh_token_seconds: int
    # RFC 9700 §4.14.2 rotation, with a window in which the just-rotated
    # refresh token may be presented again (concurrent refreshes).
    refresh_grace_seconds: int
    # OIDC Core §11 read strictly: refresh tokens only for offline_access.
    refresh_token_requires_offline_access: bool
    # "jwt" (RFC 9068) or "opaque", and the JWT's typ header.
    access_token_format: str
    access_token_typ: str


class Settings:
    """All settings as ``settings.section["key"]`` plus typed rule objects."""

    def __init__(self, values: dict[str, dict[str, Any]], origins: Mapping[str, str] | None = None):
        self.values = values
        # Which layer set each setting that is not at its default: "MOCK_OHID_SERVER_PORT",
        # a --config file's path, or "overrides" (the command line, tests).
        self.origins = dict(origins or {})
        self._issuer = self.values["server"]["issuer"] or _issuer_for(self.values["server"])
        self.username = UsernameRules(**values["username"])
        self.password = PasswordRules(**values["password"])
        self.codes = CodeRules(**values["codes"])
        self.lockout = LockoutRules(**values["lockout"])
        self.session = SessionRules(**values["session"])
        self.tokens = TokenLifetimes(**values["tokens"])
        self.fetch_rule = FetchRule.from_entries(
            [*values["security"]["allowed_fetch_hosts"], self.rp_id]
        )
        self.qa_hosts = frozenset(
            normal_host(h)
            for h in ("localhost", "127.0.0.1", "::1", self.rp_id, *values["qa"]["allowed_hosts"])
        )

    def __getitem__(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    @property
    def issuer(self) -> str:
        """``server.issuer``, or when it is empty the URL of the port the server is bound to."""
        return self._issuer

    @property
    def issuer_is_derived(self) -> bool:
        """True when no issuer is set and it follows the bound port."""
        return not self.values["server"]["issuer"]

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
        return self.values["server"]["https"] or bool(self.values["server"]["tls_cert"])

    @property
    def internal_hosts(self) -> frozenset[str]:
        """The host names of ``server.internal_hosts``, lower-cased."""
        return frozenset(parse_host_names(self.values["server"]["internal_hosts"]))

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` when asked to, and always on an https issuer."""
        return self.values["security"]["secure_cookies"] or self.issuer.startswith("https://")

    @property
    def rp_id(self) -> str:
        """The WebAuthn relying-party id: the issuer's host name."""
        return urlsplit(self.issuer).hostname or "localhost"

    @property
    def issuer_host_is_ip(self) -> bool:
        host = self.rp_id
        return host.replace(".", "").isdigit() or ":" in host

    def path(self, dotted: str) -> Path:
        """A path setting, resolved against the current directory."""
        return Path(self[dotted]).expanduser().resolve()

    def bundled_or_path(self, dotted: str, bundled_name: str) -> Path:
        """The file a setting names, or the bundled one when it is empty."""
        value = self[dotted]
        return Path(value).expanduser().resolve() if value else bundled_path(bundled_name)


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def parse_host_names(entries: list) -> list[str]:
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


def _coerce_env(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the default value."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name}: expected true or false, got {raw!r}")
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    if isinstance(default, int):
        try:
            return int(raw.strip())
        except ValueError:
            raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    return raw


def _merge(base: dict, layer: Mapping, label: str, origins: dict | None = None) -> None:
    for section, entries in layer.items():
        if section not in base:
            raise SettingsError(f"{label}: unknown section [{section}]")
        if not isinstance(entries, Mapping):
            raise SettingsError(f"{label}: [{section}] must be a table")
        for key, value in entries.items():
            if key not in base[section]:
                raise SettingsError(f"{label}: unknown setting {section}.{key}")
            default = base[section][key]
            if isinstance(default, bool) != isinstance(value, bool) or not isinstance(
                value, type(default)
            ):
                raise SettingsError(
                    f"{section}.{key}: expected {type(default).__name__}, got {value!r}"
                )
            base[section][key] = value
            if origins is not None:
                origins[f"{section}.{key}"] = (
                    f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
                    if label == "environment"
                    else label
                )


def _issuer_for(server: Mapping[str, Any]) -> str:
    """The issuer of a server with none set: localhost (or the name it binds to) and its port."""
    host = server["host"]
    try:
        ipaddress.ip_address(host.strip("[]"))
        is_name = False
    except ValueError:
        is_name = True
    if not is_name:
        # A browser reaches a loopback or wildcard address as localhost, and an IP
        # address is no WebAuthn rp id: localhost is the one name that always works.
        host = "localhost"
    scheme = "https" if server["https"] or server["tls_cert"] else "http"
    default_port = 443 if scheme == "https" else 80
    port = "" if server["port"] == default_port else f":{server['port']}"
    return f"{scheme}://{host}{port}"


def _env_layer(base: dict, environ: Mapping[str, str]) -> dict:
    layer: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in base if rest.startswith(s + "_")), None)
        if section is None:
            raise SettingsError(f"{name}: no such setting section")
        key = rest[len(section) + 1 :]
        if key not in base[section]:
            raise SettingsError(f"{name}: unknown setting {section}.{key}")
        layer.setdefault(section, {})[key] = _coerce_env(name, raw, base[section][key])
    return layer


def _nest(overrides: Mapping[str, Any]) -> dict:
    """Accept overrides as {"section.key": v} or {"section": {"key": v}}."""
    nested: dict[str, dict[str, Any]] = {}
    for name, value in overrides.items():
        if "." in name:
            section, key = name.split(".", 1)
            nested.setdefault(section, {})[key] = value
        else:
            nested.setdefault(name, {}).update(value)
    return nested


def _validate(values: dict) -> None:
    server = values["server"]
    parts = urlsplit(server["issuer"])
    # An empty issuer follows the bound port; any other must be an http(s) URL.
    if server["issuer"] and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise SettingsError(f"server.issuer: must be an http(s) URL, got {server['issuer']!r}")
    if parts.query or parts.fragment or server["issuer"].endswith("/"):
        raise SettingsError("server.issuer: must have no query, fragment or trailing slash")
    if not 0 <= server["port"] <= 65535:
        raise SettingsError(f"server.port: must be between 0 and 65535, got {server['port']}")
    if not server["host"]:
        raise SettingsError("server.host: must not be empty")
    parse_host_names(server["internal_hosts"])
    if not 16 <= server["max_request_kb"] <= 1_048_576:
        raise SettingsError(
            f"server.max_request_kb: must be between 16 and 1048576, got {server['max_request_kb']}"
        )
    if server["engine"] not in ("auto", "gunicorn", "waitress"):
        raise SettingsError(
            f"server.engine: must be one of auto, gunicorn, waitress, got {server['engine']!r}"
        )
    if bool(server["tls_cert"]) != bool(server["tls_key"]):
        raise SettingsError("server.tls_cert and server.tls_key: set both or neither")
    if not 0 <= values["demo"]["portal_ports"] <= 65535 - 4:
        raise SettingsError(
            f"demo.portal_ports: must be between 0 and 65531, got {values['demo']['portal_ports']}"
        )
    if values["security"]["password_hash_profile"] not in HASH_PROFILES:
        raise SettingsError(
            "security.password_hash_profile: must be one of "
            f"{', '.join(HASH_PROFILES)}, got {values['security']['password_hash_profile']!r}"
        )
    url = values["database"]["url"]
    if "://" not in url:
        raise SettingsError(f"database.url: not an SQLAlchemy URL: {url!r}")
    for section in ("username", "password", "codes", "lockout", "session", "tokens"):
        for key, number in values[section].items():
            if isinstance(number, int) and not isinstance(number, bool) and number < 0:
                raise SettingsError(f"{section}.{key}: must not be negative, got {number}")
    for section, low, high in (
        ("username", "min_length", "max_length"),
        ("password", "min_length", "max_length"),
    ):
        if values[section][low] > values[section][high]:
            raise SettingsError(f"{section}.{low}: is larger than {section}.{high}")
    unknown = set(values["clients"]["default_scopes"].split()) - set(SCOPES_SUPPORTED)
    if unknown:
        raise SettingsError(
            f"clients.default_scopes: unknown scope {sorted(unknown)[0]!r} "
            f"(supported: {' '.join(SCOPES_SUPPORTED)})"
        )
    for key, allowed in (
        ("access_token_format", ("jwt", "opaque")),
        ("access_token_typ", ("at+jwt", "JWT")),
    ):
        if values["tokens"][key] not in allowed:
            raise SettingsError(
                f"tokens.{key}: must be one of {', '.join(allowed)}, got {values['tokens'][key]!r}"
            )
    if values["clients"]["max_assertion_seconds"] < 1:
        raise SettingsError("clients.max_assertion_seconds: must be at least 1")
    for dotted in ("security.allowed_fetch_hosts", "qa.allowed_hosts"):
        section, key = dotted.split(".")
        for entry in values[section][key]:
            if not isinstance(entry, str):
                raise SettingsError(f"{dotted}: entries must be strings, got {entry!r}")
    for entry in values["security"]["allowed_fetch_hosts"]:
        try:
            FetchRule.from_entries([entry])
        except ValueError as exc:
            raise SettingsError(f"security.allowed_fetch_hosts: {exc}") from None
    for key in ("email_activation_digits", "otp_digits"):
        if not 4 <= values["codes"][key] <= 12:
            raise SettingsError(f"codes.{key}: must be between 4 and 12")


def load_settings(
    config_file: str | os.PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from the default file and the layers above it."""
    environ = os.environ if environ is None else environ
    values = read_toml(bundled_path("config/default.toml"), "default settings")
    origins: dict[str, str] = {}
    config_file = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        _merge(values, read_toml(Path(config_file), "--config"), str(config_file), origins)
    _merge(values, _env_layer(values, environ), "environment", origins)
    if overrides:
        _merge(values, _nest(overrides), "overrides", origins)
    _validate(values)
    return Settings(values, origins)
