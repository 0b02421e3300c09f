"""The Flask application factory: settings, database, blueprints, hooks and error pages."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, abort, g, jsonify, render_template, request, send_file
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.security import safe_join

from .clock import Clock
from .crypto.hashing import PasswordHashing
from .extensions import csrf
from .policy.json_limits import loads_bounded
from .resources import PACKAGE_DIR, bundled_path
from .settings import Settings, SettingsError, load_settings
from .store.engine import (
    BadDatabaseURL,
    RefusedValue,
    database_url,
    engine_options,
    init_store,
    is_nul_refusal,
)
from .store.units import abandon_unit, begin_request, end_request, finish_unit

__all__ = ["create_app"]


def _database_url(settings: Settings) -> str:
    """The database URL with a relative SQLite path resolved against the current directory."""
    try:
        return database_url(settings.database.url)
    except BadDatabaseURL as exc:
        raise SettingsError(f"database.url: {exc}") from None


def _secret_key(settings: Settings) -> str:
    """The configured secret, else one generated once beside the signing keys.

    Kept in the keys folder so that servers sharing that folder (and a database)
    accept each other's cookies and act as one IdP.
    """
    if settings.server.secret_key:
        return settings.server.secret_key
    folder = settings.path(settings.keys.dir)
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "cookie-secret"
    if not key_file.exists():
        # Written aside, then linked into place: of two servers starting together
        # exactly one secret wins, and nobody reads a half-written file.
        temp = folder / f".cookie-secret-{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(temp, key_file)
        finally:
            temp.unlink()
    return key_file.read_text().strip()


class OhidFlask(Flask):
    """Flask, with each request one unit of work and static files answered from bytes.

    Werkzeug's server skips a response's ``close()`` when the browser resets
    the connection while the server drains it (a page navigating away while a
    script loads); a static file answered from an open file object then stays
    open until garbage collection reports it as a ResourceWarning. Read whole
    (they are a few KB), no file outlives the view, whichever server runs.
    """

    def send_static_file(self, filename: str):
        folder = self.static_folder
        path = safe_join(folder, filename) if folder else None
        if path is None or not os.path.isfile(path):
            abort(404)
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            data = handle.read()
        return send_file(
            io.BytesIO(data),
            download_name=filename,
            conditional=True,
            etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
            last_modified=stat.st_mtime,
            max_age=self.get_send_file_max_age(filename),
        )

    def dispatch_request(self):
        """The view's answer, with the request's unit of work committed once it returns.

        A view that raises leaves nothing written: its errors are answered by the
        error handlers, and the session is rolled back when the request ends.
        """
        response = super().dispatch_request()
        finish_unit()
        return response


class BoundedJSONProvider(DefaultJSONProvider):
    """Request bodies nested too deep are malformed JSON (a 400), never a RecursionError."""

    def loads(self, s, **kwargs):
        return loads_bounded(s, **kwargs)


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(
    overrides: Mapping[str, Any] | None = None,
    config_file: str | os.PathLike | None = None,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the mock-ohid Flask app.

    ``overrides`` maps setting names (``"server.issuer"`` or nested tables) to
    values and wins over every other layer; tests use it.
    """
    settings = load_settings(config_file=config_file, overrides=overrides, environ=environ)
    app = OhidFlask(
        __name__,
        template_folder=str(bundled_path("templates")),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    if settings.issuer.startswith("http://"):
        # A mock served over plain http (localhost or a test host): let Authlib accept it.
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    database_url = _database_url(settings)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url),
        SESSION_COOKIE_NAME="ohid_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session.absolute_hours),
        WTF_CSRF_TIME_LIMIT=None,
        # Flask-WTF's HTTPS check wants a same-site Referer, which no browser sends
        # here (Referrer-Policy: no-referrer); the token in the session still guards.
        WTF_CSRF_SSL_STRICT=False,
        MAIL_SERVER=settings.mail.server or "localhost",
        MAIL_PORT=settings.mail.port,
        MAIL_USE_TLS=settings.mail.use_tls,
        MAIL_USERNAME=settings.mail.username or None,
        MAIL_PASSWORD=settings.mail.password or None,
        MAIL_DEFAULT_SENDER=settings.mail.sender,
        MAIL_SUPPRESS_SEND=not settings.mail.server,
        # One bound for the whole body and for any one form field in it.
        MAX_CONTENT_LENGTH=settings.server.max_request_kb * 1024,
        MAX_FORM_MEMORY_SIZE=settings.server.max_request_kb * 1024,
    )
    app.json = BoundedJSONProvider(app)
    app.json.sort_keys = False
    app.extensions["mock_ohid.settings"] = settings
    from .clock_store import load_clock_offset

    app.extensions["mock_ohid.clock"] = Clock()
    app.extensions["mock_ohid.clock_loader"] = load_clock_offset
    app.extensions["mock_ohid.hashing"] = PasswordHashing(settings.security.password_hash_profile)

    from .oidc.keys import KeyStore

    app.extensions["mock_ohid.keys"] = KeyStore(settings.path(settings.keys.dir))

    try:
        # The engine is made here: a URL naming a driver that is not installed fails now.
        init_store(app)
    except BadDatabaseURL as exc:
        raise SettingsError(f"database.url: {exc}") from None
    csrf.init_app(app)
    if settings.mail.server:
        # Flask-Mail (and smtplib) only when emails really go out by SMTP.
        from flask_mail import Mail

        Mail(app)

    from .oidc.server import init_oauth
    from .store import models  # noqa: F401 - registers the tables

    init_oauth(app)
    _register_blueprints(app)
    _register_hooks(app)
    # A global (not a context processor) so imported macros see it too.
    app.jinja_env.globals["password_policy"] = settings.password
    app.jinja_env.globals["support_phone"] = settings.server.support_phone
    app.jinja_env.globals["support_email"] = settings.server.support_email
    from .policy.contact import compact_phone, display_phone

    app.add_template_filter(compact_phone, "compact_phone")

    app.add_template_filter(display_phone, "phone")
    app.add_template_filter(lambda d: {k: v for k, v in d.items() if v is not None}, "reject_none")
    return app


def _register_blueprints(app: Flask) -> None:
    from .oidc.endpoints import bp as oidc_bp
    from .qa.api import bp as qa_bp
    from .qa.routes import load_routes
    from .routing import add_shared_routes
    from .web.consent import bp as consent_bp
    from .web.health import bp as health_bp
    from .web.mfa import bp as mfa_bp
    from .web.pages import bp as pages_bp
    from .web.profile import bp as profile_bp
    from .web.recover import bp as recover_bp
    from .web.register import bp as register_bp
    from .web.register_security import bp as register_security_bp
    from .web.security import bp as security_bp
    from .web.signin import bp as signin_bp

    load_routes()
    add_shared_routes(app)
    for blueprint in (
        oidc_bp,
        signin_bp,
        register_bp,
        profile_bp,
        recover_bp,
        pages_bp,
        qa_bp,
        consent_bp,
        mfa_bp,
        register_security_bp,
        security_bp,
        health_bp,
    ):
        app.register_blueprint(blueprint)


def _wants_json() -> bool:
    path = request.path
    return (
        path.startswith("/_qa/")
        or path in ("/token", "/userinfo", "/healthz")
        # /register is both Create One Healthcare ID (HTML form) and RFC 7591 (JSON).
        or (path == "/register" and request.is_json)
        or (path.startswith("/.well-known/"))
    )


# Blueprints whose POST bodies are not HTML forms (protocol and QA APIs). Routes
# outside blueprints (static files, the shared POST /register) decide for themselves.
_NON_FORM_BLUEPRINTS = ("oidc", "qa")
_FORM_MIMETYPES = ("", "application/x-www-form-urlencoded")


def _refuse_non_form_body() -> None:
    """HTML pages take form posts only; JSON or other bodies get a 415 page, not a crash."""
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or request.blueprint is None
        or request.blueprint in _NON_FORM_BLUEPRINTS
        or request.mimetype in _FORM_MIMETYPES
    ):
        return
    abort(415, description="This page accepts HTML form submissions only.")


# Protocol endpoints answered with an OAuth 2.0 JSON error (RFC 6749 §5.2).
_OAUTH_JSON_PATHS = ("/token", "/revoke", "/introspect", "/userinfo")


def _refusal(status: int, error: str, sentence: str, title: str, page_sentence: str):
    """A refused request in the shape the caller reads: OAuth JSON, the QA API's JSON, or a page."""
    path = request.path
    registration = path == "/register" and request.mimetype == "application/json"
    if path in _OAUTH_JSON_PATHS or registration:
        # RFC 7591 §3.2.2 for a registration; RFC 6749 §5.2 for the others.
        oauth_error = "invalid_client_metadata" if registration else "invalid_request"
        response = jsonify(error=oauth_error, error_description=sentence)
        response.headers["Cache-Control"] = "no-store"
        return response, status
    if _wants_json():
        return jsonify(error=error, detail=sentence), status
    return render_template(
        "errors/http.html", code=status, name=title, description=page_sentence
    ), status


def _request_too_large(limit_kb: int):
    """413 for a body over ``server.max_request_kb``."""
    return _refusal(
        413,
        "request_too_large",
        f"The request body is larger than {limit_kb} KB, the most this server accepts.",
        "Too much to send",
        f"What you sent is larger than {limit_kb} KB, the most One Healthcare ID accepts."
        " Go back and try again with less.",
    )


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _fresh_clock():
        g.pop("_clock_loaded", None)
        begin_request()

    @app.teardown_request
    def _end_unit_of_work(_exc):
        end_request()

    app.before_request(_refuse_non_form_body)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint and not request.endpoint.startswith(
            ("oidc.discovery", "oidc.jwks", "static")
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge):
        return _request_too_large(app.config["MAX_CONTENT_LENGTH"] // 1024)

    @app.errorhandler(RefusedValue)
    def _data_error(exc: RefusedValue):
        if not is_nul_refusal(exc):
            return _unexpected(exc)
        abandon_unit()
        return _refusal(
            400,
            "invalid_request",
            "The request contains a NUL character (0x00), which is never valid here.",
            "Something you sent cannot be used",
            "What you sent contains a character that is never valid here. Go back and check it.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        # The exception's own headers stay (a 405's Allow, RFC 9110 §15.5.6).
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if _wants_json():
            return (
                jsonify(error=exc.name.lower().replace(" ", "_"), detail=exc.description),
                exc.code,
                headers,
            )
        return (
            render_template(
                "errors/http.html", code=exc.code, name=exc.name, description=exc.description
            ),
            exc.code,
            headers,
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from .web.health import database_unwritable

        abandon_unit()
        reason = database_unwritable(exc)
        if reason is not None:
            # A full disk or a read-only database: say so, and recover once it is fixed.
            app.logger.error("%s %s: %s", request.method, request.path, reason)
            if _wants_json():
                return jsonify(error="service_unavailable", detail=reason), 503
            return render_template(
                "errors/http.html",
                code=503,
                name="Service unavailable",
                description=reason[0].upper() + reason[1:] + ".",
            ), 503
        # Never show a traceback: log it and answer plainly.
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify(error="server_error", detail="An unexpected error occurred."), 500
        return render_template(
            "errors/http.html",
            code=500,
            name="Something went wrong",
            description="Please try again in a moment.",
        ), 500
