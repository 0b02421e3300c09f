"""With ``mail.server`` set, emails also go out over SMTP (Flask-Mail, loaded only
then); an SMTP server that is down leaves the message in the outbox."""

from __future__ import annotations

import socketserver
import threading

import pytest

from idp.delivery.outbox import send_email
from idp.store import db as _db
from idp.store.models import OutboxMessage
from tests.conftest import make_test_app
from tests.live import free_port


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to take one message: every command is accepted."""

    def handle(self):
        self.wfile.write(b"220 test SMTP\r\n")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.messages.append(body.decode())
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture(scope="module")
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_overrides(smtp_server):
    return {"mail.server": "127.0.0.1", "mail.port": smtp_server.server_address[1]}


def test_an_email_goes_out_over_smtp_and_into_the_outbox(app, db, smtp_server):
    with app.test_request_context():
        send_email("pat@example.com", "test", "code", code="123456", minutes=10)
        db.session.commit()
    assert any("To: pat@example.com" in text and "123456" in text for text in smtp_server.messages)
    assert db.session.query(OutboxMessage).filter_by(to="pat@example.com").count() == 1


def test_an_smtp_server_that_is_down_keeps_the_email_in_the_outbox(tmp_path, caplog):
    down = make_test_app(tmp_path, **{"mail.server": "127.0.0.1", "mail.port": free_port()})
    with down.test_request_context():
        send_email("lee@example.com", "test", "code", code="654321", minutes=10)
        _db.session.commit()
        assert _db.session.query(OutboxMessage).filter_by(to="lee@example.com").count() == 1
        _db.session.remove()
    assert "SMTP delivery to lee@example.com failed" in caplog.text
