"""Flask-WTF forms of Create One Healthcare ID and its verification screens.

Labels are OHID's screen texts. The forms only carry input and CSRF; the
rules live in ``idp.policy`` and are applied by ``idp.lifecycle.registration``.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..lifecycle.security_questions import QUESTIONS
from .country_codes import country_code_field

QUESTION_COUNT = 3


def split_phone(e164: str | None) -> tuple[str, str]:
    """``("+1", "6125550123")`` for ``+16125550123``, to prefill the two phone inputs."""
    if not e164:
        return "+1", ""
    import phonenumbers  # on first use, like policy.contact

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "+1", e164
    return f"+{number.country_code}", phonenumbers.national_significant_number(number)


def _question_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a question"), *(SelectChoice(q) for q in QUESTIONS)]


class RegistrationForm(FlaskForm):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    year_of_birth = StringField("Year of birth")
    email = StringField("Your email address")
    username = StringField("Create One Healthcare ID")
    password = PasswordField("Create password")
    password_again = PasswordField("Type password again")
    country_code = country_code_field()
    phone = StringField("Phone number")
    question_1 = SelectField("Security question 1", choices=_question_choices())
    answer_1 = StringField("Answer 1")
    question_2 = SelectField("Security question 2", choices=_question_choices())
    answer_2 = StringField("Answer 2")
    question_3 = SelectField("Security question 3", choices=_question_choices())
    answer_3 = StringField("Answer 3")
    agreed = BooleanField("I agree to the Terms of Use and the Website Privacy Policy")
    # Set by the shared-email warning's second option, never shown on the form itself.
    share_email = BooleanField("Use this email address for another One Healthcare ID")

    def question_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (
                getattr(self, f"question_{n}").data or "",
                getattr(self, f"answer_{n}").data or "",
            )
            for n in range(1, QUESTION_COUNT + 1)
        )


class ActivationCodeForm(FlaskForm):
    code = StringField("Activation code")


class PhoneCodeForm(FlaskForm):
    code = StringField("Verification Code")


class UpdatePhoneForm(FlaskForm):
    country_code = country_code_field()
    phone = StringField("Phone number")


class ActionForm(FlaskForm):
    """A button-only form (Resend Code, Skip, Continue): CSRF and nothing else."""
