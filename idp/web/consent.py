"""Share my One Healthcare ID (SPEC §3.1): the consent screen, once per portal.

The journey check "consent" applies when the portal is not ``trusted`` and
the user has not yet allowed everything it asks for, or when the portal sent
``prompt=consent`` and this request has not been answered yet.
"""

from __future__ import annotations

from authlib.oauth2.rfc6749.util import scope_to_list
from flask import Blueprint, render_template
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..lifecycle.clients import find_client
from ..lifecycle.consent import (
    find_consent,
    granted_sharing,
    record_consent,
    record_consent_declined,
)
from ..models import OAuth2Client, User
from ..oidc.authorize import deny_interaction
from ..policy.claims import CLAIM_LABELS, SCOPE_CLAIMS, claims_named_in, parse_claims_request
from ..policy.consent import Sharing, consent_needed
from . import flow

bp = Blueprint("consent", __name__)

OFFLINE_ACCESS_LABEL = "Access to this information while you are signed out"


class ConsentForm(FlaskForm):
    allow = SubmitField("Allow")
    cancel = SubmitField("Cancel")


def requested_sharing(params: dict) -> Sharing:
    """What the saved authorization request asks to share."""
    scope = (params.get("scope") or [""])[0]
    claims_request = parse_claims_request((params.get("claims") or [None])[0])
    return Sharing.of(scope_to_list(scope) or [], claims_named_in(claims_request))


def shared_items(sharing: Sharing, can_refresh: bool = True) -> list[str]:
    """The consent screen's list: each claim in words, in a stable order.

    Access while signed out is promised only to a portal allowed refresh tokens.
    """
    names = [
        c
        for scope in ("profile", "email", "phone")
        if scope in sharing.scopes
        for c in SCOPE_CLAIMS[scope]
    ]
    names += sorted(sharing.claims)
    items = [CLAIM_LABELS[name] for name in dict.fromkeys(names) if name in CLAIM_LABELS]
    if "offline_access" in sharing.scopes and can_refresh:
        items.append(OFFLINE_ACCESS_LABEL)
    return items


def consent_facts(user: User, client: OAuth2Client | None, params: dict, state: dict) -> dict:
    """Journey fact ``consent_required`` for ``user`` signing in to ``client``."""
    if client is None:
        return {}
    if "interaction" in state:
        uid = state["interaction"]
    else:
        interaction = flow.current_interaction()
        uid = interaction.uid if interaction is not None else None
    grant = find_consent(user, client.client_id)
    prompts = set((params.get("prompt") or [""])[0].split())
    answered_here = grant is not None and uid is not None and grant.interaction_uid == uid
    return {
        "consent_required": consent_needed(
            trusted=client.trusted,
            requested=requested_sharing(params),
            granted=granted_sharing(grant),
            asked_again="consent" in prompts and not answered_here,
        )
    }


flow.register_facts(consent_facts)
flow.register_step("consent", "consent.share")


@bp.route("/consent", methods=["GET", "POST"])
def share():
    """ "Share my One Healthcare ID": Allow continues to the portal, Cancel goes back."""
    user = flow.journey_user()
    interaction = flow.current_interaction()
    client = find_client(interaction.client_id) if interaction is not None else None
    if user is None or client is None:
        return render_template("errors/interaction.html"), 400
    sharing = requested_sharing(interaction.params)
    form = ConsentForm()
    if form.validate_on_submit():
        if form.allow.data:
            record_consent(user, client.client_id, sharing, interaction.uid)
            return flow.continue_journey()
        record_consent_declined(user, client.client_id)
        return deny_interaction(interaction)
    return render_template(
        "consent/share.html",
        form=form,
        client=client,
        items=shared_items(sharing, can_refresh=client.check_grant_type("refresh_token")),
    )
