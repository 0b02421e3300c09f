"""The access log of ``mock-ohid serve --workers N``: one short line per request.

Gunicorn's own access logger builds a dictionary of every header and goes
through ``logging`` for each request; at a few hundred requests a second that
was a measurable part of a login's CPU. This one writes the line itself.
"""

from __future__ import annotations

import sys
import time

from gunicorn.glogging import Logger


class AccessLog(Logger):
    """Gunicorn's logger, with the access line written straight to stdout:
    ``127.0.0.1 [28/Nov/2026:03:20:14 +0000] "GET /signin HTTP/1.1" 200 5120 3.1ms``."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        query = f"?{req.query}" if req.query else ""
        # Log lines carry the wall-clock time, like gunicorn's own (not the QA clock).
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
        elapsed = request_time.total_seconds() * 1000
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} [{stamp}] "
            f'"{req.method} {req.path}{query} HTTP/{req.version[0]}.{req.version[1]}" '
            f"{resp.status_code} {resp.sent} {elapsed:.1f}ms\n"
        )
        sys.stdout.write(line)
        sys.stdout.flush()
