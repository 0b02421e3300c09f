"""Share my One Healthcare ID (SPEC §3.1): the consent screen, once per portal.

The journey check "consent" applies when the portal is not ``trusted`` and
the user has not yet allowed everything it asks for, or when the portal sent
``prompt=consent`` and this request has not been answered yet.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..lifecycle.clients import find_client
from ..lifecycle.consent import record_consent, record_consent_declined, requested_sharing
from ..lifecycle.interactions import deny_interaction, portal_waiting
from ..policy.claims import CLAIM_LABELS, SCOPE_CLAIMS
from ..policy.consent import Sharing
from ..policy.portal_claims import claim_label, portal_claims_named
from ..store.models import OAuth2Client
from . import browser, flow

bp = Blueprint("consent", __name__)

OFFLINE_ACCESS_LABEL = "Access to this information while you are signed out"


class ConsentForm(FlaskForm):
    allow = SubmitField("Allow")
    cancel = SubmitField("Cancel")


def shared_items(sharing: Sharing, client: OAuth2Client | None = None) -> list[str]:
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
    if client is not None:
        mapping = client.client_metadata.get("scope_claims")
        items += [claim_label(name) for name in portal_claims_named(mapping, sharing.scopes)]
    can_refresh = client is None or client.check_grant_type("refresh_token")
    if "offline_access" in sharing.scopes and can_refresh:
        items.append(OFFLINE_ACCESS_LABEL)
    return items


@bp.route("/consent", methods=["GET", "POST"])
def share():
    """ "Share my One Healthcare ID": Allow continues to the portal, Cancel goes back."""
    user = flow.journey_user()
    interaction = browser.current_interaction()
    client = find_client(interaction.client_id) if portal_waiting(interaction) else None
    if user is None or client is None:
        return render_template("errors/interaction.html"), 400
    sharing = requested_sharing(interaction.params)
    form = ConsentForm()
    if form.validate_on_submit():
        if form.allow.data:
            record_consent(user, client.client_id, sharing, interaction.uid)
            return flow.continue_journey()
        record_consent_declined(user, client.client_id)
        deny_interaction(interaction)
        flow.forget_sign_in()
        # The authorization endpoint sends access_denied back to the portal.
        return redirect(url_for("oidc.resume_interaction", uid=interaction.uid))
    return render_template(
        "consent/share.html", form=form, client=client, items=shared_items(sharing, client)
    )
