"""Show a domain error next to the form field it is about."""

from __future__ import annotations

from flask_wtf import FlaskForm

from ..errors import DomainError, ValidationFailed


def attach_errors(form: FlaskForm, exc: DomainError) -> list[str]:
    """Add ``exc``'s sentences to the fields they name; return those for no field.

    The returned list is shown at the top of the form (role=alert).
    """
    by_field = exc.errors if isinstance(exc, ValidationFailed) else {exc.field: [exc.text]}
    general: list[str] = []
    for name, texts in by_field.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, *texts]
        else:
            general.extend(texts)
    return general
