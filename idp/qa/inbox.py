"""The dev inbox (SPEC §5.1 ``GET /_qa/inbox``): emails, texts and calls as a person sees them.

Links in messages are clickable, and each call still waiting for its code has
an "Answer call" button that keys the digits in, as the person would on the
phone. It is an HTML page on the QA surface, so it has the QA API's guard; its
one form carries its own CSRF token (the QA API itself is JSON and exempt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange

from ..crypto.digests import digest_matches
from ..errors import NoPendingCall
from ..lifecycle.voice import answer_call, pending_call
from ..store import qa as qa_store
from ..store.models import OutboxMessage
from .api import bp, form_page
from .operations import find_messages
from .voice import keypad_digits

INBOX_SIZE = 100
_URL = re.compile(r"https?://[^\s<>\"']+")


class AnswerCallForm(FlaskForm):
    message_id = IntegerField(validators=[NumberRange(min=1, max=2**62)])
    digits = StringField("Digits to key in")


@dataclass
class InboxItem:
    message: OutboxMessage
    segments: list[tuple[str, str | None]]
    waiting: bool


def link_segments(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into ``(text, href)`` pieces; href is set for each http(s) URL."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _URL.finditer(text or ""):
        if match.start() > position:
            pieces.append((text[position : match.start()], None))
        url = match.group(0).rstrip(".,;)")
        pieces.append((url, url))
        position = match.start() + len(url)
    if position < len(text or ""):
        pieces.append((text[position:], None))
    return pieces


def _call_waiting(message: OutboxMessage) -> bool:
    if message.channel != "voice" or not message.code:
        return False
    row = pending_call(message.to)
    answered = row is not None and bool(row.keypad_digits) and row.matches(row.keypad_digits)
    return row is not None and digest_matches(row.code_hash, message.code) and not answered


@bp.get("/inbox")
@form_page
def inbox():
    """Newest first; ``?to=`` shows one address or number only."""
    to = (request.args.get("to") or "").strip()
    messages = find_messages(to=to, limit=INBOX_SIZE)
    items = [InboxItem(m, link_segments(m.body), _call_waiting(m)) for m in messages]
    return render_template("qa/inbox.html", items=items, to=to, form=AnswerCallForm(formdata=None))


@bp.post("/inbox/answer")
@form_page
def answer_from_inbox():
    """The "Answer call" button: key the digits into the waiting call."""
    # The inbox button posts a form; a JSON body is not read as one.
    form = AnswerCallForm(formdata=request.form)
    back = redirect(url_for("qa.inbox", to=request.args.get("to") or None))
    if not form.validate():
        flash("The form expired or was incomplete. Reload the inbox and try again.", "error")
        return back, 303
    message = qa_store.find_outbox_message(form.message_id.data)
    if message is None or message.channel != "voice":
        flash("That call is not in the outbox.", "error")
        return back, 303
    try:
        outcome = answer_call(message.to, keypad_digits(form.digits.data or ""))
    except ValueError as exc:
        flash(str(exc), "error")
        return back, 303
    except NoPendingCall as exc:
        flash(exc.text, "error")
        return back, 303
    category = "info" if outcome.result == "accepted" else "error"
    flash(f"Call to {outcome.to}: {outcome.detail}", category)
    return back, 303
