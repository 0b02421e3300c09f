"""A portal API that checks access tokens by introspection with its own
credentials: flask-oidc 2 in resource-server mode (``OIDC_RESOURCE_SERVER_ONLY``,
``@oidc.accept_token``), its client_secrets naming the issuer and the API's own
client id and secret. Run as ``introspecting_api:app`` with OHID_ISSUER,
CLIENT_ID and CLIENT_SECRET set."""

import os

from flask import Flask, g, jsonify
from flask_oidc import OpenIDConnect

app = Flask(__name__)
app.config.update(
    SECRET_KEY="introspecting-api-test-key",
    OIDC_RESOURCE_SERVER_ONLY=True,
    OIDC_CLIENT_SECRETS={
        "web": {
            "issuer": os.environ["OHID_ISSUER"],
            "client_id": os.environ["CLIENT_ID"],
            "client_secret": os.environ["CLIENT_SECRET"],
        }
    },
)
oidc = OpenIDConnect(app)


@app.route("/api/claims")
@oidc.accept_token()
def claims():
    """The introspection answer flask-oidc accepted (401 when inactive)."""
    return jsonify(dict(g.authlib_server_oauth2_token))
