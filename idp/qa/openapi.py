"""The OpenAPI 3.1 document of the /_qa API, served at /_qa/openapi.json.

A test walks the app's routes and this document both ways, so a route added
without documenting it (or documented without existing) fails the suite.
"""

from __future__ import annotations

from flask import jsonify

from ..extensions import get_settings
from ..lifecycle.second_factors import METHOD_NAMES, description_schema
from ..policy.faults import FAULT_ENDPOINTS
from ..policy.passwords import MAX_PASSWORD_AGE_DAYS
from .api import bp
from .factors import factor_schemas
from .tokens import MAX_EXPIRES_IN

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error_responses(*codes: int) -> dict:
    texts = {
        400: "Bad input",
        401: "QA token missing",
        403: "QA API off or token wrong",
        404: "Not found",
        409: "Conflict",
        413: "Body larger than server.max_request_kb",
        415: "Not sent as Content-Type: application/json",
    }
    return {str(c): {"description": texts[c], "content": _json(ERROR)} for c in codes}


USER_FIELDS = {
    "username": {"type": "string"},
    "email": {"type": "string"},
    "password": {"type": "string"},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "year_of_birth": {"type": "integer"},
    "phone": {"type": "string"},
    "email_verified": {"type": "boolean"},
    "phone_verified": {"type": "boolean"},
    "password_age_days": {"type": "integer", "minimum": 0, "maximum": MAX_PASSWORD_AGE_DAYS},
    "locked": {"type": "boolean"},
    "deactivated": {"type": "boolean"},
    "claims": {
        "type": "object",
        "description": "Portal claims: npi, tax_ids, state, role, job_functions, "
        "practice_name, provider_type, or custom; null removes one (PATCH)",
        "examples": [{"npi": "1234567893", "tax_ids": ["123456789"], "state": "MN"}],
    },
}

SCHEMAS = {
    "SecondFactorMethod": {
        "description": "A second-factor method's name, as /signin/verify?method= takes it; "
        "any other name, or one the user has not set up, is a 400 naming the valid ones",
        "enum": list(METHOD_NAMES),
    },
    "Error": {
        "type": "object",
        "required": ["error", "detail"],
        "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
    },
    "User": {
        "type": "object",
        "required": ["username", "sub", "email", "email_verified", "locked", "deactivated"],
        "properties": {
            "username": {"type": "string"},
            "sub": {"type": "string"},
            "email": {"type": "string"},
            "email_verified": {"type": "boolean"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "year_of_birth": {"type": ["integer", "null"]},
            "phone": {"type": ["string", "null"]},
            "phone_verified": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "password_changed_at": {"type": "string", "format": "date-time"},
            "last_sign_in_at": {"type": ["string", "null"]},
            "failed_sign_ins": {"type": "integer"},
            "locked": {"type": "boolean"},
            "locked_until": {"type": ["string", "null"]},
            "deactivated": {"type": "boolean"},
            "security_questions": {"type": "array", "items": {"type": "string"}},
            "notifications": {"type": "object"},
            "claims": {"type": "object", "description": "Portal claims"},
            "mfa": {
                "type": "object",
                "description": "Each second-factor method's state, and the remembered devices",
                "properties": {
                    **description_schema(),
                    "remembered_devices": {"type": "integer"},
                },
            },
            "totp_secret": {"type": "string", "description": "Only when totp: true was sent"},
            "recovery_code": {
                "type": "string",
                "description": "When a factor made one (empty: the existing one stays)",
            },
            "passkey": {
                "type": "object",
                "description": "Only when passkey was added: what the soft authenticator needs",
                "properties": {
                    "id": {"type": "integer"},
                    "credential_id": {"type": "string"},
                    "private_key": {"type": "string", "description": "PKCS#8 PEM, EC P-256"},
                    "rp_id": {"type": "string"},
                    "origin": {"type": "string"},
                    "user_handle": {"type": "string"},
                    "sign_count": {"type": "integer"},
                    "backup_eligible": {"type": "boolean"},
                    "amr": {"type": "array", "items": {"type": "string"}},
                },
            },
            "security_answers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
                },
            },
            "device_cookie": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Message": {
        "type": "object",
        "required": ["id", "channel", "to", "purpose", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "channel": {"enum": ["email", "sms", "voice"]},
            "to": {"type": "string"},
            "purpose": {"type": "string"},
            "subject": {"type": "string"},
            "body": {"type": "string"},
            "code": {"type": ["string", "null"]},
            "link": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Clock": {
        "type": "object",
        "required": ["now", "offset_seconds", "moved"],
        "properties": {
            "now": {"type": "string", "format": "date-time"},
            "offset_seconds": {"type": "number"},
            "moved": {"type": "boolean"},
        },
    },
    "Event": {
        "type": "object",
        "required": ["id", "kind", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "user": {"type": ["string", "null"]},
            "kind": {"type": "string"},
            "detail": {"type": "object"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}

USERNAME = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
OUTBOX_FILTERS = [
    {"name": "to", "in": "query", "schema": {"type": "string"}},
    {"name": "channel", "in": "query", "schema": {"enum": ["email", "sms", "voice"]}},
    {"name": "purpose", "in": "query", "schema": {"type": "string"}},
    {
        "name": "since",
        "in": "query",
        "schema": {"type": "string", "format": "date-time", "minLength": 1},
    },
]

PATHS: dict = {
    "/_qa/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}
    },
    "/_qa/outbox": {
        "get": {
            "summary": "Messages (emails, texts, calls), newest first",
            "parameters": OUTBOX_FILTERS,
            "responses": {
                "200": {
                    "description": "Messages",
                    "content": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}
                    ),
                },
                **_error_responses(400),
            },
        }
    },
    "/_qa/outbox/latest": {
        "get": {
            "summary": "The newest message matching the filters",
            "parameters": OUTBOX_FILTERS,
            "responses": {
                "200": {
                    "description": "Message",
                    "content": _json({"$ref": "#/components/schemas/Message"}),
                },
                **_error_responses(400, 404),
            },
        }
    },
    "/_qa/voice/answer": {
        "post": {
            "summary": "Key digits into the verification call waiting at a number",
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["to", "digits"],
                        "additionalProperties": False,
                        "properties": {
                            "to": {"type": "string", "minLength": 1, "examples": ["+16125550100"]},
                            "digits": {
                                "type": "string",
                                "description": "Keypad keys (0-9, * and #); a closing # ends",
                                "pattern": "^[0-9*# ]*[0-9*][0-9*# ]*$",
                                "maxLength": 20,
                                "examples": ["123456#"],
                            },
                        },
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "What the call made of the digits",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["to", "purpose", "result", "attempts_left", "detail"],
                            "properties": {
                                "to": {"type": "string"},
                                "purpose": {"type": "string"},
                                "result": {"enum": ["accepted", "rejected", "dead", "expired"]},
                                "attempts_left": {"type": "integer"},
                                "detail": {"type": "string"},
                            },
                        }
                    ),
                },
                **_error_responses(400, 404),
            },
        }
    },
    "/_qa/users": {
        "post": {
            "summary": "Create a user in any state",
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["username", "email", "password"],
                        "examples": [
                            {
                                "username": "jane.doe1",
                                "email": "jane@example.com",
                                "password": "Password1",
                                "email_verified": True,
                                "totp": True,
                            }
                        ],
                        "properties": {
                            **USER_FIELDS,
                            "username": {"type": "string", "minLength": 1},
                            "email": {"type": "string", "minLength": 1},
                            "password": {"type": "string", "minLength": 1},
                            **factor_schemas(),
                            "send_activation": {
                                "type": "boolean",
                                "description": "Email the activation code to an unverified "
                                "address (default true)",
                            },
                        },
                        "additionalProperties": False,
                    }
                ),
            },
            "responses": {
                "201": {
                    "description": "The user",
                    "content": _json({"$ref": "#/components/schemas/User"}),
                },
                **_error_responses(400, 409),
            },
        }
    },
    "/_qa/users/{username}": {
        "get": {
            "summary": "Read all of a user's state",
            "parameters": [USERNAME],
            "responses": {
                "200": {
                    "description": "The user",
                    "content": _json({"$ref": "#/components/schemas/User"}),
                },
                **_error_responses(404),
            },
        },
        "patch": {
            "summary": "Change a user's state",
            "parameters": [USERNAME],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "properties": {**USER_FIELDS, **factor_schemas()},
                        "minProperties": 1,
                        "additionalProperties": False,
                        "examples": [{"totp": True}, {"passkey": "swk"}, {"totp": False}],
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "The user",
                    "content": _json({"$ref": "#/components/schemas/User"}),
                },
                **_error_responses(400, 404, 409),
            },
        },
        "delete": {
            "summary": "Delete a user",
            "parameters": [USERNAME],
            "responses": {"204": {"description": "Deleted"}, **_error_responses(404)},
        },
    },
    "/_qa/users/{username}/totp": {
        "get": {
            "summary": "The secret and current code of the user's authenticator app",
            "parameters": [USERNAME],
            "responses": {
                "200": {
                    "description": "Secret and code",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["secret", "code"],
                            "properties": {
                                "secret": {"type": "string"},
                                "code": {"type": "string"},
                            },
                        }
                    ),
                },
                **_error_responses(404),
            },
        }
    },
    "/_qa/clock": {
        "get": {
            "summary": "Read the server's clock",
            "responses": {
                "200": {
                    "description": "Clock",
                    "content": _json({"$ref": "#/components/schemas/Clock"}),
                }
            },
        },
        "post": {
            "summary": "Move the clock: {advance: '91d'} or {set: ISO-8601}",
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "advance": {
                                "type": "string",
                                "minLength": 1,
                                "examples": ["91d", "30m"],
                            },
                            "set": {"type": "string", "format": "date-time"},
                        },
                        "oneOf": [{"required": ["advance"]}, {"required": ["set"]}],
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "Clock",
                    "content": _json({"$ref": "#/components/schemas/Clock"}),
                },
                **_error_responses(400),
            },
        },
        "delete": {
            "summary": "Back to real time",
            "responses": {
                "200": {
                    "description": "Clock",
                    "content": _json({"$ref": "#/components/schemas/Clock"}),
                }
            },
        },
    },
    "/_qa/reset": {
        "post": {
            "summary": "Empty the database back to the seeded state",
            "requestBody": {
                "required": True,
                "description": "An empty JSON object: changes are sent as JSON only",
                "content": _json({"type": "object", "maxProperties": 0}),
            },
            "responses": {
                "200": {
                    "description": "Reset",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["reset"],
                            "properties": {
                                "reset": {"type": "boolean"},
                                "clients": {"type": "array", "items": {"type": "string"}},
                                "demo_users": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    ),
                },
                **_error_responses(400),
            },
        }
    },
    "/_qa/events": {
        "get": {
            "summary": "Audit events, newest first",
            "parameters": [
                {"name": "user", "in": "query", "schema": {"type": "string"}},
                {"name": "kind", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "since",
                    "in": "query",
                    "schema": {"type": "string", "format": "date-time", "minLength": 1},
                },
            ],
            "responses": {
                "200": {
                    "description": "Events",
                    "content": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}
                    ),
                },
                **_error_responses(400),
            },
        }
    },
}


FAULT = {
    "type": "object",
    "required": ["id", "endpoint", "kind", "count", "remaining", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "endpoint": {"enum": list(FAULT_ENDPOINTS)},
        "kind": {"enum": ["error", "delay"]},
        "status": {"type": ["integer", "null"]},
        "error": {"type": ["string", "null"]},
        "delay_ms": {"type": ["integer", "null"]},
        "client_id": {"type": ["string", "null"]},
        "count": {"type": "integer"},
        "remaining": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}

PATHS.update(
    {
        "/_qa/tokens": {
            "post": {
                "summary": "Tokens without a browser: what /token would return after a sign-in",
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["client_id", "username"],
                            "additionalProperties": False,
                            "properties": {
                                "client_id": {"type": "string", "minLength": 1},
                                "username": {"type": "string", "minLength": 1},
                                "scope": {"type": "string", "examples": ["openid profile portal"]},
                                "claims": {
                                    "type": "object",
                                    "description": "OIDC claims request (id_token, userinfo)",
                                    "additionalProperties": False,
                                    "properties": {
                                        "id_token": {"type": "object"},
                                        "userinfo": {"type": "object"},
                                    },
                                },
                                "expires_in": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": MAX_EXPIRES_IN,
                                },
                                "acr": {"enum": ["urn:ohid:loa:1", "urn:ohid:loa:2"]},
                                "amr": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": 10,
                                    "items": {"type": "string", "minLength": 1, "maxLength": 20},
                                },
                                "nonce": {"type": "string", "minLength": 1, "maxLength": 255},
                            },
                        }
                    ),
                },
                "responses": {
                    "200": {
                        "description": "The token response",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["access_token", "token_type", "expires_in"],
                                "properties": {
                                    "access_token": {"type": "string"},
                                    "token_type": {"type": "string"},
                                    "expires_in": {"type": "integer"},
                                    "scope": {"type": "string"},
                                    "refresh_token": {"type": "string"},
                                    "id_token": {"type": "string"},
                                },
                            }
                        ),
                    },
                    **_error_responses(400, 404, 409),
                },
            }
        },
        "/_qa/faults": {
            "get": {
                "summary": "Faults still waiting for requests, oldest first",
                "responses": {
                    "200": {
                        "description": "Faults",
                        "content": _json({"type": "array", "items": FAULT}),
                    }
                },
            },
            "post": {
                "summary": "Make the next count requests at an endpoint fail or slow down",
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["endpoint"],
                            "additionalProperties": False,
                            # A status and error only for kind error (the default); a delay
                            # only, and always, for kind delay.
                            "if": {
                                "required": ["kind"],
                                "properties": {"kind": {"const": "delay"}},
                            },
                            "then": {
                                "required": ["delay_ms"],
                                "properties": {
                                    "status": {"type": "null"},
                                    "error": {"type": "null"},
                                    "delay_ms": {"type": "integer"},
                                },
                            },
                            "else": {"properties": {"delay_ms": {"type": "null"}}},
                            "properties": {
                                "endpoint": {"enum": list(FAULT_ENDPOINTS)},
                                "kind": {"enum": ["error", "delay", None], "default": "error"},
                                "status": {
                                    "type": ["integer", "null"],
                                    "minimum": 400,
                                    "maximum": 599,
                                },
                                "error": {
                                    "type": ["string", "null"],
                                    "description": "An OAuth error code; empty or null: "
                                    "the status's usual one",
                                    "pattern": "^([a-z][a-z0-9_]{0,63})?$",
                                    "examples": ["temporarily_unavailable"],
                                },
                                "delay_ms": {
                                    "type": ["integer", "null"],
                                    "minimum": 1,
                                    "maximum": 30000,
                                },
                                "count": {
                                    "type": ["integer", "null"],
                                    "minimum": 1,
                                    "maximum": 1000,
                                },
                                "client_id": {
                                    "type": ["string", "null"],
                                    "description": "Only this portal's requests (null: any)",
                                },
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {"description": "The fault", "content": _json(FAULT)},
                    **_error_responses(400, 404),
                },
            },
            "delete": {
                "summary": "Clear every fault",
                "responses": {
                    "200": {
                        "description": "How many were cleared",
                        "content": _json(
                            {
                                "type": "object",
                                "required": ["cleared"],
                                "properties": {"cleared": {"type": "integer"}},
                            }
                        ),
                    }
                },
            },
        },
    }
)


_STRINGS = {"type": "array", "items": {"type": "string"}}
CLIENT_FIELDS = {
    "client_name": {"type": "string"},
    "token_endpoint_auth_method": {
        "enum": ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"]
    },
    "strict_auth_method": {
        "type": "boolean",
        "description": "Take the secret only by the registered method (default: Basic or body)",
    },
    "trusted": {"type": "boolean"},
    "require_phone": {"type": "boolean"},
    "scope": {"type": ["string", "null"], "description": "Scopes it may ask for"},
    "default_scopes": {
        "type": ["array", "null"],
        "items": {"type": "string"},
        "description": "Added to its OpenID Connect requests (null: clients.default_scopes)",
    },
    "grant_types": _STRINGS,
    "access_token_format": {"enum": ["jwt", "opaque", None]},
    "access_token_typ": {"enum": ["at+jwt", "JWT", None]},
    "access_token_audience": {"type": ["string", "array", "null"], "items": {"type": "string"}},
    "introspect_any": {
        "type": "boolean",
        "description": "A resource server: may introspect every client's tokens",
    },
    "resource_servers": {
        **_STRINGS,
        "description": "Client ids that may introspect this client's tokens",
    },
    "backchannel_logout_uri": {"type": ["string", "null"]},
}
SCHEMAS["Client"] = {
    "type": "object",
    "required": ["client_id", "token_endpoint_auth_method", "redirect_uris"],
    "properties": {
        "client_id": {"type": "string"},
        **CLIENT_FIELDS,
        "has_secret": {"type": "boolean"},
        "redirect_uris": _STRINGS,
        "post_logout_redirect_uris": _STRINGS,
        "allowed_origins": _STRINGS,
        "response_types": _STRINGS,
        "id_token_signed_response_alg": {"type": "string"},
        "source": {"type": "string"},
        "client_secret": {
            "type": "string",
            "description": "Only when one was just generated or set (shown once)",
        },
    },
}
_CLIENT = _json({"$ref": "#/components/schemas/Client"})
_CLIENT_ID = [{"name": "client_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_LIST_EDITS = {
    f"{verb}_{name}": _STRINGS
    for name in ("redirect_uris", "post_logout_redirect_uris", "allowed_origins")
    for verb in ("add", "remove")
}
PATHS.update(
    {
        "/_qa/clients": {
            "get": {
                "summary": "Every registered client",
                "responses": {
                    "200": {
                        "description": "Clients",
                        "content": _json(
                            {"type": "array", "items": {"$ref": "#/components/schemas/Client"}}
                        ),
                    }
                },
            },
            "post": {
                "summary": "Register a client (fields as in clients.toml; secret generated)",
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["client_id", "redirect_uris"],
                            "properties": {
                                "client_id": {"type": "string"},
                                "client_secret": {"type": "string"},
                                "redirect_uris": _STRINGS,
                                "post_logout_redirect_uris": _STRINGS,
                                "allowed_origins": _STRINGS,
                                **CLIENT_FIELDS,
                            },
                        }
                    ),
                },
                "responses": {
                    "201": {"description": "Registered", "content": _CLIENT},
                    **_error_responses(400, 409),
                },
            },
        },
        "/_qa/clients/{client_id}": {
            "get": {
                "summary": "A client: everything a portal needs, secret aside",
                "parameters": _CLIENT_ID,
                "responses": {
                    "200": {"description": "Client", "content": _CLIENT},
                    **_error_responses(404),
                },
            },
            "patch": {
                "summary": "Change a client in place; its tokens and consents are kept",
                "parameters": _CLIENT_ID,
                "requestBody": {
                    "required": True,
                    "content": _json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                **_LIST_EDITS,
                                **CLIENT_FIELDS,
                                "client_secret": {"type": "string"},
                                "new_secret": {
                                    "type": "boolean",
                                    "description": "Generate a new secret (in the answer)",
                                },
                            },
                        }
                    ),
                },
                "responses": {
                    "200": {"description": "Changed", "content": _CLIENT},
                    **_error_responses(400, 404),
                },
            },
            "delete": {
                "summary": "Remove a client, revoking its tokens and users' consent",
                "parameters": _CLIENT_ID,
                "responses": {"204": {"description": "Removed"}, **_error_responses(404)},
            },
        },
    }
)


GUARD_403 = (
    "Refused: a Host other than localhost, 127.0.0.1, [::1], the issuer's host or "
    "qa.allowed_hosts; an Origin of another site; the QA API off; or the token wrong"
)


def _with_guard_answers(paths: dict) -> dict:
    """Every operation may meet the /_qa guard: 401 without the token when one is set,
    403, 415 for changes not sent as JSON, and 413 for a body over the size limit."""
    guarded = {}
    for path, operations in paths.items():
        guarded[path] = {}
        for method, operation in operations.items():
            responses = dict(operation.get("responses", {}))
            responses.setdefault("401", _error_responses(401)["401"])
            responses["403"] = {"description": GUARD_403, "content": _json(ERROR)}
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("415", _error_responses(415)["415"])
            if "requestBody" in operation:
                responses.setdefault("413", _error_responses(413)["413"])
            guarded[path][method] = {**operation, "responses": responses}
    return guarded


def openapi_document() -> dict:
    """The whole OpenAPI 3.1 document for the running server."""
    return {
        # The token is needed only when qa.token is set: no security ({}) is also valid.
        "security": [{}, {"qaToken": []}],
        "openapi": "3.1.0",
        "info": {
            "title": "mock-ohid QA API",
            "version": "1.0.0",
            "description": "Drive One Healthcare ID journeys from scripts (SPEC §5.1).",
        },
        "servers": [{"url": get_settings().issuer}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "qaToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Needed when qa.token is set.",
                }
            },
        },
        "paths": _with_guard_answers(PATHS),
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
