"""Home and Help (SPEC §3.8)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from ..extensions import get_settings

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return redirect(url_for("signin.start"))


@bp.get("/help")
def help_page():
    settings = get_settings()
    return render_template(
        "pages/help.html",
        support_phone=settings.server.support_phone,
        lockout=settings.lockout,
    )
