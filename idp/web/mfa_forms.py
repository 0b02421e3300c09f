"""Forms of the multi-factor pages (CSRF on every one). Labels are OHID's screen texts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from ..messages import message
from .country_codes import country_code_field

REMEMBER_LABEL = "Remember this device"
PERSONAL_LABEL = "Skip this step when signing in because this device is personal or private"


class CodeForm(FlaskForm):
    """A typed code: authenticator, text, call, email or recovery code."""

    code = StringField(
        "Verification Code",
        validators=[InputRequired(message("code_required")), Length(max=64)],
    )
    remember = BooleanField(REMEMBER_LABEL)


class PasskeyForm(FlaskForm):
    """The browser's WebAuthn response, filled in by passkeys.js."""

    credential = HiddenField()
    remember = BooleanField(REMEMBER_LABEL)


class SendCodeForm(FlaskForm):
    method = HiddenField()


class ContinueForm(FlaskForm):
    """A bare "Continue" button."""


class DeviceAnswerForm(FlaskForm):
    answer = StringField(
        "Answer", validators=[InputRequired(message("answer_required")), Length(max=200)]
    )
    personal = BooleanField(PERSONAL_LABEL)


class StepUpPhoneForm(FlaskForm):
    country_code = country_code_field()
    phone = StringField(
        "Phone number", validators=[InputRequired("Enter your phone number."), Length(max=30)]
    )
    channel = RadioField(
        "How should we send your Access Code?",
        choices=[SelectChoice("sms", "Text Message"), SelectChoice("call", "Call Me")],
        default="sms",
    )


class AccessCodeForm(FlaskForm):
    code = StringField(
        "Access Code", validators=[InputRequired(message("code_required")), Length(max=64)]
    )


class RenameForm(FlaskForm):
    name = StringField("Passkey name", validators=[Length(max=200)])
    next = HiddenField()


class ManageForm(FlaskForm):
    """A one-button action on My Profile (remove, forget, regenerate)."""

    next = HiddenField()
