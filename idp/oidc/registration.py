"""Dynamic client registration (RFC 7591, OIDC Dynamic Client Registration 1.0).

Open registration (no initial access token), on while the setting
``clients.dynamic_registration`` is true. Metadata is checked by Authlib's
claim classes against our discovery document, then by the same rules as
``clients.toml``. A dynamically registered client is never ``trusted``, so its
users see "Share my One Healthcare ID" the first time.
"""

from __future__ import annotations

from authlib.common.security import generate_token
from authlib.oauth2.claims import BaseClaims
from authlib.oauth2.rfc6749 import AccessDeniedError
from authlib.oauth2.rfc7591 import ClientMetadataClaims as OAuthClientMetadata
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7591.errors import InvalidClientMetadataError, InvalidRedirectURIError
from authlib.oidc.registration import ClientMetadataClaims as OidcClientMetadata
from authlib.oidc.rpinitiated import ClientMetadataClaims as LogoutClientMetadata
from joserfc.errors import InvalidClaimError

from ..audit import record_event
from ..extensions import db, get_clock, get_settings
from .clients import ClientConfigError, new_client_secret, register_client
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
# Metadata for features mock-ohid does not have: refused rather than ignored,
# so a client never believes it got behaviour it did not.
UNSUPPORTED = (
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
    "default_max_age",
    "default_acr_values",
    "initiate_login_uri",
    "frontchannel_logout_uri",
    "frontchannel_logout_session_required",
)


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


def _check_supported(data: dict) -> None:
    refused = sorted(name for name in UNSUPPORTED if data.get(name) not in (None, "", []))
    if refused:
        raise InvalidClientMetadataError(f"Not supported by mock-ohid: {', '.join(refused)}.")
    if data.get("subject_type") not in (None, "public"):
        raise InvalidClientMetadataError("subject_type must be 'public'.")
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
            ],
        )

    def create_registration_response(self, request):
        data = request.payload.data
        if not isinstance(data, dict) or not data:
            raise InvalidClientMetadataError("Send the client metadata as a JSON object.")
        _check_redirect_uris(data)
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
        if not get_settings()["clients.dynamic_registration"]:
            raise AccessDeniedError("Dynamic client registration is turned off.")
        return True

    def get_server_metadata(self) -> dict:
        return provider_metadata()

    def generate_client_id(self, request) -> str:
        return f"dyn-{generate_token(24)}"

    def generate_client_info(self, request) -> dict:
        method = request.payload.data.get("token_endpoint_auth_method", "client_secret_basic")
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
            db.session.rollback()
            raise InvalidClientMetadataError(str(exc)) from None
        # Dynamic registrations are never trusted: users always see the consent screen.
        client.trusted = False
        record_event("client_registered", client_id=client.client_id, source="dynamic")
        db.session.commit()
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
