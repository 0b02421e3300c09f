"""Flask-WTF forms (CSRF on every one). Labels are OHID's screen texts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from ..messages import message


class IdentifierForm(FlaskForm):
    identifier = StringField(
        "One Healthcare ID or Email Address",
        validators=[InputRequired(message("identifier_required")), Length(max=254)],
    )
    remember = BooleanField("Remember me")


class PasswordForm(FlaskForm):
    password = PasswordField(
        "Password", validators=[InputRequired(message("password_required")), Length(max=200)]
    )
