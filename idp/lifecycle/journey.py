"""The facts the sign-in journey is decided from, gathered in one place.

``policy.journey.next_step`` is pure: it orders the checks. This module reads
what those checks need (the account, the portal, the interaction's prompt and
sign-in record, this browser's remembered device) and asks it.
"""

from __future__ import annotations

from ..extensions import get_settings, now
from ..policy.consent import consent_needed
from ..policy.journey import JourneyState, next_step
from ..policy.mfa import wants_multi_factor
from ..policy.passwords import password_age
from ..store.models import Interaction, User
from .clients import find_client
from .consent import consent_answer, granted_sharing, requested_sharing
from .devices import is_remembered
from .interactions import SignIn, prompt_of
from .second_factors import has_strong_method

# Journey step (``policy.journey``) -> the endpoint of the page that handles it. The
# sign-in pages and the authorization endpoint both send the browser there.
STEP_PAGES = {
    "verify_email": "register.verify_email",
    "verify_phone": "register.verify_phone",
    "offer_security_methods": "security.offer",
    "second_factor": "mfa.verify",
    "unrecognized_device": "mfa.device",
    "phone_step_up": "mfa.phone",
    "consent": "consent.share",
    "password_expired": "recover.password_expired",
    "password_expiring": "recover.password_expiring",
}


def journey_state(
    user: User, sign_in: SignIn, interaction: Interaction | None, device: str | None
) -> JourneyState:
    """Every fact ``policy.journey`` checks, for ``user`` in this sign-in."""
    settings = get_settings()
    prompt = prompt_of(interaction)
    client = find_client(interaction.client_id) if interaction is not None else None
    resumed = sign_in.sso_id is not None
    age = password_age(user.password_changed_at, now(), settings.password)
    device_check = (
        settings.security.unrecognized_device_check
        and not resumed
        and not sign_in.registration
        and not sign_in.device_checked
        and not is_remembered(user, "device", device)
    )
    return JourneyState(
        email_verified=bool(user.email_verified),
        phone_verification_pending=sign_in.registration
        and bool(user.phone and not user.phone_verified and not sign_in.phone_step_done),
        security_methods_offer_pending=sign_in.registration
        and not sign_in.security_methods_offered,
        password_expired=age.expired,
        # The warning is shown once per sign-in, not when SSO resumes a portal request.
        password_expiring=age.warn and not resumed and not sign_in.password_warning_seen,
        second_factor_required=wants_multi_factor(prompt.acr_values)
        or (has_strong_method(user) and not is_remembered(user, "mfa", device)),
        second_factor_done=sign_in.second_factor_done,
        device_check_required=bool(device_check),
        phone_step_up_required=bool(client is not None and client.require_phone)
        and not (user.phone and user.phone_verified),
        consent_required=_consent_required(user, client, interaction, prompt.consent),
    )


def _consent_required(user: User, client, interaction: Interaction | None, asked: bool) -> bool:
    if client is None:
        return False
    grant = consent_answer(user, client.client_id)
    answered_here = grant is not None and grant.interaction_uid == interaction.uid
    return consent_needed(
        trusted=client.trusted,
        requested=requested_sharing(interaction.params),
        granted=granted_sharing(grant),
        asked_again=asked and not answered_here,
    )


def next_step_for(
    user: User, sign_in: SignIn, interaction: Interaction | None, device: str | None
) -> str | None:
    """The next journey step for ``user`` (None: the sign-in is complete)."""
    return next_step(journey_state(user, sign_in, interaction, device))
