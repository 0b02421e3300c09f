"""A portal on flask-oidc 2, configured as its docs say: a client_secrets
document naming the issuer, client id and secret. Run under gunicorn as
``flask_oidc_portal:app`` with OHID_ISSUER, CLIENT_ID and CLIENT_SECRET set."""

import os

from flask import Flask, g, jsonify, session
from flask_oidc import OpenIDConnect

app = Flask(__name__)
app.config.update(
    SECRET_KEY="flask-oidc-portal-test-key",
    OIDC_CLIENT_SECRETS={
        "web": {
            "issuer": os.environ["OHID_ISSUER"],
            "client_id": os.environ["CLIENT_ID"],
            "client_secret": os.environ["CLIENT_SECRET"],
        }
    },
)
oidc = OpenIDConnect(app)


@app.route("/me")
@oidc.require_login
def me():
    """What flask-oidc holds after sign-in (it refused the sign-in had the ID
    token failed Authlib's checks): the userinfo it fetched, the current tokens."""
    token = session["oidc_auth_token"]
    return jsonify(
        id_token=token.get("id_token"),
        profile=session.get("oidc_auth_profile"),
        access_token=token["access_token"],
        email=g.oidc_user.email,
    )


@app.route("/")
def home():
    return jsonify(signed_in=oidc.user_loggedin)
