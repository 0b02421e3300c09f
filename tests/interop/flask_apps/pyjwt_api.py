"""A portal API validating JWT access tokens with PyJWT's PyJWKClient, as PyJWT's
docs show: keys from the issuer's JWKS (found by discovery), the issuer's
signing algorithm, the expected audience and issuer, PyJWT's defaults otherwise
(no leeway). Run as ``pyjwt_api:app`` with OHID_ISSUER and AUDIENCE set."""

import os

import jwt
import requests
from flask import Flask, jsonify, request

ISSUER = os.environ["OHID_ISSUER"]
AUDIENCE = os.environ["AUDIENCE"]
DISCOVERY = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
KEYS = jwt.PyJWKClient(DISCOVERY["jwks_uri"], timeout=10)

app = Flask(__name__)


@app.route("/api/claims")
def claims():
    """The token's claims when PyJWT accepts it; 401 with PyJWT's reason when not."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return jsonify(error="invalid_request", detail="no bearer token"), 401
    try:
        key = KEYS.get_signing_key_from_jwt(token)
        payload = jwt.decode(
            token,
            key.key,
            algorithms=DISCOVERY["id_token_signing_alg_values_supported"],
            audience=AUDIENCE,
            issuer=ISSUER,
        )
    except jwt.PyJWTError as error:
        return jsonify(error="invalid_token", detail=str(error)), 401
    return jsonify(payload)
