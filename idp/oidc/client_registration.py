"""Dynamic client registration (RFC 7591, OIDC Dynamic Client Registration 1.0).

Open registration (no initial access token), on while the setting
``clients.dynamic_registration`` is true. What common RPs ask for by default
and the mock does not do is replaced with what it does (RFC 7591 §2); what
would change what the client receives is refused, naming the field. The rest
is checked by Authlib's claim classes against our discovery document, then by
the same rules as ``clients.toml``. A dynamically registered client is never ``trusted``, so its
users see "Share my One Healthcare ID" the first time.
"""

from __future__ import annotations

from authlib.common.security import generate_token
from authlib.oauth2.base import invalid_error_characters
from authlib.oauth2.claims import BaseClaims
from authlib.oauth2.rfc6749 import AccessDeniedError
from authlib.oauth2.rfc7591 import ClientMetadataClaims as OAuthClientMetadata
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oidc.registration import ClientMetadataClaims as OidcClientMetadata
from authlib.oidc.rpinitiated import ClientMetadataClaims as LogoutClientMetadata
from joserfc.errors import InvalidClaimError

from ..audit import record_event
from ..extensions import get_clock, get_settings
from ..policy.client_metadata import metadata_problem
from .clients import ClientConfigError, new_client_secret, register_client
from .cors import is_origin
from .discovery import provider_metadata

SECRET_METHODS = ("client_secret_basic", "client_secret_post")

# Metadata we store and act on (echoed back in the registration response).
REGISTERED = (
    "redirect_uris",
    "post_logout_redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "scope",
    "id_token_signed_response_alg",
    "backchannel_logout_uri",
    "jwks",
    "jwks_uri",
    "allowed_origins",
)
# Descriptive metadata that changes nothing here: accepted and echoed.
DESCRIPTIVE = (
    "client_name",
    "client_uri",
    "logo_uri",
    "contacts",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "application_type",
    "require_auth_time",
    "backchannel_logout_session_required",
    "token_endpoint_auth_signing_alg",
)
# Metadata for features whose absence would change what the client receives
# (SPEC §4.1): refused, naming the field, so a client never believes it got
# behaviour it did not.
REFUSED = (
    "sector_identifier_uri",
    "userinfo_signed_response_alg",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "request_object_signing_alg",
    "request_object_encryption_alg",
    "request_object_encryption_enc",
    "request_uris",
)
# What common RPs ask for by default and mock-ohid does not do on the side:
# dropped (RFC 7591 §2 "replace"); the response shows what was registered.
DROPPED = (
    "initiate_login_uri",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
    "default_max_age",
    "default_acr_values",
)
DEFAULT_AUTH_METHOD = "client_secret_basic"


class CorsMetadata(BaseClaims):
    """``allowed_origins``: extra browser origins allowed CORS calls (SPEC §4.1)."""

    REGISTERED_CLAIMS = ["allowed_origins"]

    def validate(self, now=None, leeway=0):
        super().validate(now, leeway)
        origins = self.get("allowed_origins")
        if origins is not None and (
            not isinstance(origins, list)
            or not all(isinstance(o, str) and is_origin(o) for o in origins)
        ):
            raise InvalidClaimError("allowed_origins")


def replace_unsupported(data: dict) -> dict[str, object]:
    """Rewrite, in place, what RFC 7591 §2 lets us replace; return the fields replaced.

    Values the mock cannot honour become what it does: response types and
    grant types are narrowed to the code flow, an unknown authentication
    method or ID token algorithm becomes the default, and the
    side features in ``DROPPED`` are removed.
    """
    metadata = provider_metadata()
    replaced: dict[str, object] = {}

    def narrow(name: str, supported: list[str], fallback: list[str]) -> None:
        asked = data.get(name)
        if not isinstance(asked, list):
            return
        kept = [value for value in asked if value in supported] or fallback
        if kept != asked:
            replaced[name] = asked
            data[name] = kept

    narrow("response_types", metadata["response_types_supported"], ["code"])
    narrow("grant_types", metadata["grant_types_supported"], ["authorization_code"])
    if "grant_types" in replaced and "authorization_code" not in data["grant_types"]:
        # The implicit grant asked for becomes the code grant it is replaced with.
        data["grant_types"] = ["authorization_code", *data["grant_types"]]
    single = {
        "token_endpoint_auth_method": (
            metadata["token_endpoint_auth_methods_supported"],
            DEFAULT_AUTH_METHOD,
        ),
        "id_token_signed_response_alg": (
            metadata["id_token_signing_alg_values_supported"],
            "RS256",
        ),
    }
    for name, (supported, fallback) in single.items():
        if name in data and data[name] not in supported:
            replaced[name] = data[name]
            data[name] = fallback
    for name in DROPPED:
        if name in data:
            replaced[name] = data.pop(name)
    return replaced


class BackChannelLogoutMetadata(BaseClaims):
    """Back-Channel Logout 1.0 §2.2 client metadata."""

    REGISTERED_CLAIMS = ["backchannel_logout_uri", "backchannel_logout_session_required"]

    def validate(self, now=None, leeway=0):
        super().validate(now, leeway)
        required = self.get("backchannel_logout_session_required")
        if required is not None and not isinstance(required, bool):
            raise InvalidClaimError("backchannel_logout_session_required")


def _check_redirect_uris(data: dict) -> None:
    uris = data.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        # OIDC Dynamic Client Registration §2: redirect_uris is REQUIRED.
        raise InvalidRedirectURIError("redirect_uris must be a non-empty array of URIs.")


# RFC 7591 §2 and OIDC Registration §2 value types; checked first so that a
# wrong type is a 400 before any library reads the value.
_STRINGS = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "jwks_uri",
    "software_id",
    "software_version",
    "scope",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "id_token_signed_response_alg",
    "backchannel_logout_uri",
    "application_type",
    "subject_type",
)
_STRING_ARRAYS = (
    "redirect_uris",
    "post_logout_redirect_uris",
    "grant_types",
    "response_types",
    "contacts",
)
_BOOLEANS = ("require_auth_time", "backchannel_logout_session_required")


def _check_types(data: dict) -> None:
    for name in _STRINGS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InvalidClientMetadataError(f"{name} must be a string.")
    for name in _STRING_ARRAYS:
        value = data.get(name)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            raise InvalidClientMetadataError(f"{name} must be an array of strings.")
    for name in _BOOLEANS:
        if data.get(name) is not None and not isinstance(data[name], bool):
            raise InvalidClientMetadataError(f"{name} must be true or false.")
    jwks = data.get("jwks")
    if jwks is not None and (
        not isinstance(jwks, dict)
        or not isinstance(jwks.get("keys"), list)
        or not all(isinstance(key, dict) for key in jwks["keys"])
    ):
        raise InvalidClientMetadataError("jwks must be a JSON Web Key Set (an object with keys).")


def _check_sizes(data: dict) -> None:
    found = metadata_problem(data)
    if found is None:
        return
    name, message = found
    # RFC 7591 §3.2.2: a bad redirection URI has its own error code.
    if name == "redirect_uris":
        raise InvalidRedirectURIError(message)
    raise InvalidClientMetadataError(message)


def _check_supported(data: dict) -> None:
    # Fields are named, values are not: they are the caller's text (RFC 6749 §5.2
    # keeps error_description to printable ASCII without quotes or backslashes).
    refused = [name for name in REFUSED if data.get(name) not in (None, "", [], "none")]
    if data.get("subject_type") not in (None, "public"):
        refused.append("subject_type (only 'public')")
    if refused:
        raise InvalidClientMetadataError(f"Not supported by mock-ohid: {', '.join(refused)}.")
    grants = data.get("grant_types") or ["authorization_code"]
    responses = data.get("response_types") or ["code"]
    # RFC 7591 §2.1: the code response type goes with the authorization_code grant.
    if "code" in responses and "authorization_code" not in grants:
        raise InvalidClientMetadataError(
            "response_types 'code' needs grant_types to include 'authorization_code'."
        )


class OhidClientRegistrationEndpoint(ClientRegistrationEndpoint):
    """RFC 7591 §3 with our validation and storage."""

    def __init__(self, server=None):
        super().__init__(
            server,
            claims_classes=[
                OAuthClientMetadata,
                OidcClientMetadata,
                LogoutClientMetadata,
                BackChannelLogoutMetadata,
                CorsMetadata,
            ],
        )

    def create_registration_response(self, request):
        data = request.payload.data
        if not isinstance(data, dict) or not data:
            raise InvalidClientMetadataError("Send the client metadata as a JSON object.")
        _check_redirect_uris(data)
        _check_types(data)
        _check_sizes(data)
        request.replaced_metadata = replace_unsupported(data)
        _check_supported(data)
        try:
            return super().create_registration_response(request)
        except InvalidClientMetadataError as error:
            if "'redirect_uris'" in (error.description or ""):
                raise InvalidRedirectURIError(error.description) from None
            raise
        except ValueError as exc:
            # Authlib's logout metadata check raises a bare ValueError.
            raise InvalidClientMetadataError(str(exc)) from None

    def authenticate_token(self, request):
        # Open registration: no initial access token, only the setting.
        if not get_settings().clients.dynamic_registration:
            raise AccessDeniedError("Dynamic client registration is turned off.")
        return True

    def get_server_metadata(self) -> dict:
        return provider_metadata()

    def generate_client_id(self, request) -> str:
        return f"dyn-{generate_token(24)}"

    def generate_client_info(self, request) -> dict:
        method = request.payload.data.get("token_endpoint_auth_method", DEFAULT_AUTH_METHOD)
        info = {
            "client_id": self.generate_client_id(request),
            "client_id_issued_at": get_clock().timestamp(),
        }
        if method in SECRET_METHODS:
            info["client_secret"] = new_client_secret()
            # RFC 7591 §3.2.1: 0 means the secret does not expire.
            info["client_secret_expires_at"] = 0
        return info

    def save_client(self, client_info: dict, client_metadata: dict, request):
        entry = {k: client_metadata[k] for k in REGISTERED if k in client_metadata}
        entry.setdefault("grant_types", ["authorization_code"])
        entry["client_id"] = client_info["client_id"]
        entry["client_name"] = client_metadata.get("client_name") or client_info["client_id"]
        if client_info.get("client_secret"):
            entry["client_secret"] = client_info["client_secret"]
        try:
            client = register_client(entry, source="dynamic", replace=False)
        except ClientConfigError as exc:
            message = exc.public
            if invalid_error_characters(message):
                message = "The client metadata is invalid."
            raise InvalidClientMetadataError(message) from None
        # Dynamic registrations are never trusted: users always see the consent screen.
        client.trusted = False
        record_event(
            "client_registered",
            client_id=client.client_id,
            source="dynamic",
            replaced=sorted(getattr(request, "replaced_metadata", {})),
        )
        request.registered_client = client
        return client

    def generate_client_registration_info(self, client, request) -> dict:
        # The response echoes what was registered (RFC 7591 §3.2.1), defaults included.
        metadata = dict(client.client_metadata)
        descriptive = {
            k: v for k, v in request.payload.data.items() if k in DESCRIPTIVE and v is not None
        }
        descriptive["client_name"] = client.client_name
        return {**descriptive, **metadata}
