"""The floor under a login: Flask and gunicorn answering the eight requests of a
login with nothing behind them (no database, no Authlib, no hashing, no keys).

``tests/perf/bench_login.py --only floor`` serves this app with the settings
``mock-ohid serve --workers 2`` uses and drives it with the same load generator,
so the server CPU per "login" it prints is what the framework and the server
cost on this machine before mock-ohid does any work of its own. The pages have
the size and shape of mock-ohid's: a signed session cookie, a form with a CSRF
field, redirects, and a JSON token response.
"""

from __future__ import annotations

import secrets

from flask import Flask, jsonify, redirect, render_template, request, session
from jinja2 import DictLoader

app = Flask(__name__)
# One key for every worker (as mock-ohid shares its cookie secret): a browser whose
# connection lands on the other worker must keep its session.
app.config["SECRET_KEY"] = "floor-benchmark-key-not-a-secret"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/ohid.css"></head>
<body><header><p>One Healthcare ID</p></header><main>
<h1>{{ title }}</h1>
<form method="post" action="{{ action }}">
<input name="csrf_token" type="hidden" value="{{ csrf }}">
<label for="field">{{ label }}</label>
<input id="field" name="{{ name }}" type="{{ kind }}" autocomplete="username">
<button type="submit">Continue</button>
</form>
{% for line in lines %}<p>{{ line }}</p>{% endfor %}
</main></body></html>"""
# A loader, as for template files: compiled once and cached, as mock-ohid's pages are.
app.jinja_loader = DictLoader({"page.html": PAGE})
LINES = ["Need help signing in?", "Create a One Healthcare ID", "Terms of Use", "Privacy Policy"]


def page(title: str, action: str, label: str, name: str, kind: str) -> str:
    session["csrf"] = session.get("csrf") or secrets.token_urlsafe(24)
    return render_template(
        "page.html",
        title=title,
        action=action,
        label=label,
        name=name,
        kind=kind,
        csrf=session["csrf"],
        lines=LINES,
    )


def checked_form(field: str) -> str:
    if request.form.get("csrf_token") != session.get("csrf"):
        return ""
    return request.form.get(field, "")


@app.get("/authorize")
def authorize():
    session["interaction"] = secrets.token_urlsafe(16)
    session["redirect_uri"] = request.args["redirect_uri"]
    session["state"] = request.args.get("state", "")
    return redirect("/signin")


@app.route("/signin", methods=["GET", "POST"])
def sign_in():
    if request.method == "POST":
        session["identifier"] = checked_form("identifier")
        return redirect("/signin/password")
    return page("Sign In", "/signin", "One Healthcare ID or Email Address", "identifier", "text")


@app.route("/signin/password", methods=["GET", "POST"])
def password():
    if request.method == "POST":
        session["signed_in"] = bool(checked_form("password"))
        return redirect("/resume")
    return page("Sign In", "/signin/password", "Password", "password", "password")


@app.get("/resume")
def resume():
    code = secrets.token_urlsafe(32)
    return redirect(f"{session['redirect_uri']}?code={code}&state={session['state']}")


@app.post("/token")
def token():
    return jsonify(
        access_token=secrets.token_urlsafe(32),
        token_type="Bearer",
        expires_in=3600,
        id_token=secrets.token_urlsafe(600),
        scope="openid profile email",
    )


@app.get("/userinfo")
def userinfo():
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return jsonify(error="invalid_token"), 401
    return jsonify(sub=secrets.token_hex(16), name="Bulk User", email="bulk.user0@example.com")


@app.get("/.well-known/openid-configuration")
def discovery():
    return jsonify(issuer=request.host_url.rstrip("/"))
