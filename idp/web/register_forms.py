"""Flask-WTF forms of Create One Healthcare ID and its verification screens.

Labels are OHID's screen texts. The forms only carry input and CSRF; the
rules live in ``idp.policy`` and are applied by ``idp.lifecycle.registration``.
"""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..lifecycle.security_questions import QUESTIONS

QUESTION_COUNT = 3


@lru_cache(maxsize=1)
def country_code_choices() -> list[SelectChoice]:
    """Every country calling code phonenumbers knows, ``+1`` first (the default)."""
    # Imported here: phonenumbers and its geocoder's data take a quarter second or
    # more to load, which the server's start-up should not pay for a page nobody
    # has opened yet.
    import phonenumbers
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    from phonenumbers.geocoder import country_name_for_number

    choices = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        # "001" is non-geographic numbering (toll-free, satellite): no country to show.
        geographic = [r for r in regions if r != "001"]
        if not geographic:
            continue
        example = phonenumbers.example_number(geographic[0])
        name = (country_name_for_number(example, "en") if example else "") or geographic[0]
        shown = "United States, Canada" if code == 1 else name
        choices.append(SelectChoice(f"+{code}", f"+{code} {shown}"))
    return choices


def split_phone(e164: str | None) -> tuple[str, str]:
    """``("+1", "6125550123")`` for ``+16125550123``, to prefill the two phone inputs."""
    if not e164:
        return "+1", ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "+1", e164
    return f"+{number.country_code}", phonenumbers.national_significant_number(number)


def _question_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Choose a question"), *(SelectChoice(q) for q in QUESTIONS)]


def _country_code_field() -> SelectField:
    return SelectField("Country code", choices=country_code_choices, default="+1")


class RegistrationForm(FlaskForm):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    year_of_birth = StringField("Year of birth")
    email = StringField("Email address")
    username = StringField("Create One Healthcare ID")
    password = PasswordField("Create password")
    password_again = PasswordField("Type password again")
    country_code = _country_code_field()
    phone = StringField("Phone number")
    question_1 = SelectField("Security question 1", choices=_question_choices())
    answer_1 = StringField("Answer 1")
    question_2 = SelectField("Security question 2", choices=_question_choices())
    answer_2 = StringField("Answer 2")
    question_3 = SelectField("Security question 3", choices=_question_choices())
    answer_3 = StringField("Answer 3")
    agreed = BooleanField("I agree to the Terms of Use and the Website Privacy Policy")

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
    country_code = _country_code_field()
    phone = StringField("Phone number")


class ActionForm(FlaskForm):
    """A button-only form (Resend Code, Skip, Continue): CSRF and nothing else."""
