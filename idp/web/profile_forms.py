"""Forms of My Profile's three tabs (CSRF on each). Labels are OHID's screen texts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from ..lifecycle.notifications import EVENTS
from ..lifecycle.security_questions import QUESTIONS
from ..messages import message
from .country_codes import country_code_field
from .recover_forms import NewPasswordForm


class ProfileForm(FlaskForm):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    year_of_birth = StringField("Year of birth", validators=[Length(max=4)])


class UsernameForm(FlaskForm):
    username = StringField(
        "One Healthcare ID",
        validators=[InputRequired("Enter a One Healthcare ID."), Length(max=100)],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(message("current_password_required")), Length(max=200)],
    )


class EmailForm(FlaskForm):
    email = StringField(
        "New email address",
        validators=[InputRequired(message("email_required")), Length(max=254)],
    )


class PhoneForm(FlaskForm):
    country_code = country_code_field()
    phone = StringField(
        "Phone number", validators=[InputRequired("Enter your phone number."), Length(max=30)]
    )
    method = RadioField(
        "How should we verify it?",
        choices=[SelectChoice("sms", "Text Message"), SelectChoice("voice", "Call Me")],
        default="sms",
        validators=[InputRequired("Choose Text Message or Call Me.")],
    )


def _question_field(n: int) -> SelectField:
    return SelectField(
        f"Security question {n}",
        choices=[SelectChoice("", "Choose a question")] + [SelectChoice(q) for q in QUESTIONS],
        validators=[InputRequired(message("question_unknown"))],
    )


def _answer_field(n: int) -> StringField:
    return StringField(
        f"Answer {n}",
        validators=[InputRequired(message("answer_required")), Length(max=100)],
    )


class SecurityQuestionsForm(FlaskForm):
    question_1 = _question_field(1)
    answer_1 = _answer_field(1)
    question_2 = _question_field(2)
    answer_2 = _answer_field(2)
    question_3 = _question_field(3)
    answer_3 = _answer_field(3)

    def pairs(self) -> list[tuple[str, str]]:
        """``(question, answer)`` for the three rows."""
        return [(self[f"question_{n}"].data, self[f"answer_{n}"].data) for n in (1, 2, 3)]


class NotificationsForm(FlaskForm):
    """One box per event and channel: ``<event>_email`` and ``<event>_sms``."""

    def chosen(self) -> dict[str, list[str]]:
        """Event -> the channels ticked for it."""
        return {
            event: [c for c in ("email", "sms") if self[f"{event}_{c}"].data] for event in EVENTS
        }

    def fill(self, preferences: dict[str, list[str]]) -> None:
        """Tick the boxes of the user's current choices."""
        for event, channels in preferences.items():
            for channel in ("email", "sms"):
                self[f"{event}_{channel}"].data = channel in channels


for _event, _label in EVENTS.items():
    setattr(NotificationsForm, f"{_event}_email", BooleanField(f"{_label} by email"))
    setattr(NotificationsForm, f"{_event}_sms", BooleanField(f"{_label} by text message"))
