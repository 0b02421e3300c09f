"""Size and character rules for dynamically registered client metadata (RFC 7591 §2).

RFC 7591 §2 lets the server refuse metadata it will not store. Anyone may
register a client, so every field has a bound: what is stored is small, and
what a URI field holds is a URI (RFC 3986 characters, no spaces, controls or
quotes). Messages name the field and the limit, never the value.
"""

from __future__ import annotations

import json
import re
import unicodedata

# RFC 3986 §2: unreserved, reserved and percent-encoding characters only.
URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
URI_MAX_LENGTH = 2000
URIS_MAX_COUNT = 20
CLIENT_NAME_MAX_LENGTH = 200
CONTACTS_MAX_COUNT = 10
CONTACT_MAX_LENGTH = 254
SHORT_STRING_MAX_LENGTH = 200
SCOPE_MAX_LENGTH = 1000
JWKS_MAX_KEYS = 10
JWKS_MAX_BYTES = 32_768

URI_FIELDS = (
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "backchannel_logout_uri",
    "initiate_login_uri",
    "frontchannel_logout_uri",
    "sector_identifier_uri",
)
URI_LIST_FIELDS = ("redirect_uris", "post_logout_redirect_uris", "request_uris")
SHORT_STRINGS = (
    "software_id",
    "software_version",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "id_token_signed_response_alg",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "request_object_signing_alg",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "application_type",
    "subject_type",
)
SHORT_LISTS = ("grant_types", "response_types", "default_acr_values")


def is_uri_text(value: str) -> bool:
    """True when ``value`` is made of RFC 3986 characters only (printable ASCII, no spaces)."""
    return bool(URI_CHARACTERS.fullmatch(value))


def _uri_problem(name: str, value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if len(value) > URI_MAX_LENGTH:
        return f"{name} is too long: at most {URI_MAX_LENGTH} characters."
    if value and not is_uri_text(value):
        return (
            f"{name} must be a URI: printable ASCII characters without spaces or quotes"
            " (percent-encode the others)."
        )
    return None


def _list_problem(name: str, value: object, max_count: int, max_length: int) -> str | None:
    if not isinstance(value, list):
        return None
    if len(value) > max_count:
        return f"{name} has too many entries: at most {max_count}."
    if any(isinstance(item, str) and len(item) > max_length for item in value):
        return f"{name} has an entry that is too long: at most {max_length} characters."
    return None


def _jwks_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    keys = value.get("keys")
    if isinstance(keys, list) and len(keys) > JWKS_MAX_KEYS:
        return f"jwks has too many keys: at most {JWKS_MAX_KEYS}."
    if len(json.dumps(value)) > JWKS_MAX_BYTES:
        return f"jwks is too large: at most {JWKS_MAX_BYTES} bytes."
    return None


def metadata_problem(data: dict) -> tuple[str, str] | None:
    """The first field over its bound or not a URI, as ``(field, message)``; else None.

    Types are checked elsewhere: a value of the wrong type is passed over here.
    """
    for name in URI_LIST_FIELDS:
        value = data.get(name)
        problem = _list_problem(name, value, URIS_MAX_COUNT, URI_MAX_LENGTH)
        if problem is None and isinstance(value, list):
            problem = next(
                (p for p in (_uri_problem(name, v) for v in value) if p is not None), None
            )
        if problem:
            return name, problem
    for name in URI_FIELDS:
        problem = _uri_problem(name, data.get(name))
        if problem:
            return name, problem
    origins = data.get("allowed_origins")
    problem = _list_problem("allowed_origins", origins, URIS_MAX_COUNT, URI_MAX_LENGTH)
    if problem:
        return "allowed_origins", problem
    name_value = data.get("client_name")
    if isinstance(name_value, str) and len(name_value) > CLIENT_NAME_MAX_LENGTH:
        return "client_name", (
            f"client_name is too long: at most {CLIENT_NAME_MAX_LENGTH} characters."
        )
    if isinstance(name_value, str) and any(
        unicodedata.category(c) in ("Cc", "Cf") for c in name_value
    ):
        # Users read it on the consent screen: no controls or invisible characters.
        return "client_name", "client_name must not contain control or invisible characters."
    contacts = data.get("contacts")
    problem = _list_problem("contacts", contacts, CONTACTS_MAX_COUNT, CONTACT_MAX_LENGTH)
    if problem:
        return "contacts", problem
    scope = data.get("scope")
    if isinstance(scope, str) and len(scope) > SCOPE_MAX_LENGTH:
        return "scope", f"scope is too long: at most {SCOPE_MAX_LENGTH} characters."
    for name in SHORT_STRINGS:
        value = data.get(name)
        if isinstance(value, str) and len(value) > SHORT_STRING_MAX_LENGTH:
            return name, f"{name} is too long: at most {SHORT_STRING_MAX_LENGTH} characters."
    for name in SHORT_LISTS:
        problem = _list_problem(name, data.get(name), URIS_MAX_COUNT, SHORT_STRING_MAX_LENGTH)
        if problem:
            return name, problem
    problem = _jwks_problem(data.get("jwks"))
    if problem:
        return "jwks", problem
    return None
