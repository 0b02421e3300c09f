"""How a client may authenticate at the token, revocation and introspection
endpoints (RFC 6749 §2.3, OIDC Core §9), and what to tell it when it cannot:
pure rules.

A client with a secret takes it in the ``Authorization`` header (HTTP Basic)
or in the form body, whichever it was registered for, as Keycloak does, unless
it is registered as strict (or the server is): then only its registered method.
``private_key_jwt`` and public (``none``) clients take only their own method.
"""

from __future__ import annotations

SECRET_METHODS = ("client_secret_basic", "client_secret_post")

# How each method is sent, for the messages.
HOW_SENT = {
    "client_secret_basic": "the secret in the Authorization header (HTTP Basic)",
    "client_secret_post": "the secret as client_secret in the form body",
    "private_key_jwt": "a client_assertion signed with its key",
    "none": "its client_id alone (a public client, with PKCE)",
}

MISSING_CREDENTIALS = (
    "No client authentication was sent: send the client_id and secret (HTTP Basic, or "
    "client_id and client_secret in the form body), or a client_assertion."
)
UNKNOWN_CLIENT = "No client with this client_id is registered with this server."
WRONG_SECRET = "The client secret is wrong for this client_id."  # noqa: S105 - a message
BAD_BASIC_HEADER = (
    "The Authorization header is not HTTP Basic credentials "
    "(base64 of client_id:secret, RFC 6749 section 2.3.1)."
)


def accepted_methods(registered: str, *, strict: bool) -> tuple[str, ...]:
    """The methods a client registered for ``registered`` may use."""
    if registered in SECRET_METHODS and not strict:
        return SECRET_METHODS
    return (registered,)


def presented_method(*, header: bool, assertion: bool, body_secret: bool) -> str:
    """The method a request uses; the Authorization header wins, as it always did."""
    if header:
        return "client_secret_basic"
    if assertion:
        return "private_key_jwt"
    if body_secret:
        return "client_secret_post"
    return "none"


def refusal(
    registered: str, presented: str, *, strict: bool, endpoint_methods: tuple[str, ...]
) -> str | None:
    """Why a client registered for ``registered`` may not use ``presented`` here,
    or None when it may. The text names methods only, never request input."""
    if registered not in endpoint_methods:
        return (
            f"This client is registered for {registered}, which this endpoint does not "
            f"take ({', '.join(endpoint_methods)})."
        )
    accepted = accepted_methods(registered, strict=strict)
    if presented in accepted:
        return None
    if presented == "none" and registered in SECRET_METHODS:
        ways = " or ".join(HOW_SENT[m] for m in accepted)
        return f"This client has a secret: send {ways}."
    if registered in SECRET_METHODS and presented in SECRET_METHODS:
        return (
            f"This client is registered for {registered} only (strict): send "
            f"{HOW_SENT[registered]}, not {HOW_SENT[presented]}."
        )
    return (
        f"This client is registered for {registered}: send {HOW_SENT[registered]}, "
        f"not {HOW_SENT[presented]}."
    )
