"""My Profile (SPEC §3.7): "Manage your One Healthcare ID"."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from . import flow

bp = Blueprint("profile", __name__)


@bp.get("/profile")
def show():
    signed_in = flow.signed_in_user()
    if signed_in is None:
        return redirect(url_for("signin.start"))
    return render_template("profile/show.html", user=signed_in.user)
