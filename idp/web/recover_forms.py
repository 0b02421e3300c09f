"""Forms of Forgot ID, Forgot password, unlock and expired password (CSRF on each)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from ..messages import message


class ForgotIdForm(FlaskForm):
    email = StringField(
        "Email address", validators=[InputRequired(message("email_required")), Length(max=254)]
    )


class RecoverIdentifierForm(FlaskForm):
    identifier = StringField(
        "One Healthcare ID or Email Address",
        validators=[InputRequired(message("identifier_required")), Length(max=254)],
    )


class VerifyMethodForm(FlaskForm):
    method = RadioField(
        "Choose how to verify your identity",
        choices=[],
        validators=[InputRequired(message("choose_method"))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Verification Code",
        validators=[InputRequired("Enter the verification code."), Length(max=20)],
    )


class ActionForm(FlaskForm):
    """A button-only form (Resend Code, Call Again, Continue): just the CSRF token."""


class SecurityAnswersForm(FlaskForm):
    answer_1 = StringField(
        "Answer 1", validators=[InputRequired(message("answer_required")), Length(max=100)]
    )
    answer_2 = StringField(
        "Answer 2", validators=[InputRequired(message("answer_required")), Length(max=100)]
    )
    answer_3 = StringField(
        "Answer 3", validators=[InputRequired(message("answer_required")), Length(max=100)]
    )

    def label_with(self, questions: list[str]) -> None:
        """Use the account's questions as the labels."""
        for n, question in enumerate(questions, start=1):
            self[f"answer_{n}"].label.text = question

    def answers(self) -> list[str]:
        """The three answers in question order."""
        return [self.answer_1.data, self.answer_2.data, self.answer_3.data]


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[InputRequired(message("new_password_required")), Length(max=200)],
    )
    confirm_password = PasswordField(
        "Type password again",
        validators=[InputRequired(message("confirm_password_required")), Length(max=200)],
    )
