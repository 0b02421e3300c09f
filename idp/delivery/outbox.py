"""Send emails (Flask-Mail), texts and calls; every one is recorded in the outbox.

Texts and calls are never really placed: the outbox is their only delivery,
and QA scripts read it through /_qa/outbox. Emails also go through SMTP when
``mail.server`` is set.
"""

from __future__ import annotations

from flask import current_app, render_template

from ..audit import record_event
from ..extensions import get_settings, now
from ..store import db
from ..store.models import OutboxMessage, User

CHANNELS = ("email", "sms", "voice")


def _record(
    channel: str,
    to: str,
    purpose: str,
    subject: str,
    body: str,
    code=None,
    link=None,
    user: User | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel,
        to=to,
        purpose=purpose,
        subject=subject,
        body=body,
        code=code,
        link=link,
        created_at=now(),
        user_id=user.id if user is not None else None,
    )
    db.session.add(message)
    record_event(f"{channel}_sent", user, to=to, purpose=purpose)
    return message


def send_email(
    to: str, purpose: str, template: str, user: User | None = None, code=None, link=None, **context
) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` (first line is the subject) and send it."""
    text = render_template(
        f"email/{template}.txt", user=user, code=code, link=link, settings=get_settings(), **context
    )
    subject, _, body = text.strip().partition("\n")
    message = _record("email", to, purpose, subject.strip(), body.strip(), code, link, user)
    if get_settings().mail.server:
        from flask_mail import Message

        try:
            current_app.extensions["mail"].send(
                Message(subject=subject.strip(), recipients=[to], body=body.strip())
            )
        except OSError:
            # SMTP down must not break the journey: the outbox still has the message.
            current_app.logger.warning("SMTP delivery to %s failed; kept in the outbox", to)
    return message


def send_sms(
    to: str, purpose: str, template: str, user: User | None = None, code=None, link=None, **context
) -> OutboxMessage:
    """Render ``templates/sms/<template>.txt`` and record the text message."""
    body = render_template(
        f"sms/{template}.txt", user=user, code=code, link=link, settings=get_settings(), **context
    ).strip()
    return _record("sms", to, purpose, "", body, code, link, user)


def place_call(
    to: str, purpose: str, body: str, user: User | None = None, code=None
) -> OutboxMessage:
    """Record an automated voice call; ``code`` is what the caller must key in."""
    return _record("voice", to, purpose, "", body, code, None, user)
