"""Consent: what a user agreed to share with each portal, remembered per client."""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list

from ..audit import record_event
from ..extensions import now
from ..policy.claims import claims_named_in, parse_claims_request
from ..policy.consent import Sharing
from ..store import oauth as oauth_store
from ..store.models import ConsentGrant, User


def requested_sharing(params: dict) -> Sharing:
    """What a saved authorization request asks to share."""
    scope = (params.get("scope") or [""])[0]
    claims_request = parse_claims_request((params.get("claims") or [None])[0])
    return Sharing.of(scope_to_list(scope) or [], claims_named_in(claims_request))


def find_consent(user: User, client_id: str) -> ConsentGrant | None:
    """The user's remembered answer for ``client_id``, if any."""
    return oauth_store.find_consent(user.id, client_id)


def consent_answer(user: User, client_id: str):
    """The remembered answer for ``client_id`` as a plain row (``scopes``, ``claims``,
    ``interaction_uid``), for the journey, which only reads it; None if never asked."""
    return oauth_store.consent_answer(user.id, client_id)


def granted_sharing(grant) -> Sharing | None:
    """What a remembered answer (a grant or ``consent_answer``'s row) allows."""
    if grant is None:
        return None
    return Sharing(frozenset(grant.scopes or []), frozenset(grant.claims or []))


def record_consent(
    user: User, client_id: str, sharing: Sharing, interaction_uid: str | None
) -> ConsentGrant:
    """Remember that the user allowed ``sharing`` (added to what they allowed before)."""
    moment = now()
    grant = oauth_store.consent_to_change(user.id, client_id, moment)
    total = (granted_sharing(grant) or Sharing()).union(sharing)
    grant.scopes = sorted(total.scopes)
    grant.claims = sorted(total.claims)
    grant.granted_at = moment
    grant.interaction_uid = interaction_uid
    oauth_store.save_consent(grant)
    record_event(
        "consent_granted", user, client_id=client_id, scopes=grant.scopes, claims=grant.claims
    )
    return grant


def record_consent_declined(user: User, client_id: str) -> None:
    """The user chose Cancel on the consent screen."""
    record_event("consent_declined", user, client_id=client_id)
