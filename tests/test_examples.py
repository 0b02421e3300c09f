"""The QA examples the docs point to (docs/qa/index.md) run as written against a live server."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_http_journey_example_creates_an_account_and_logs_in_to_a_portal(live_server, capsys):
    claims = _load("qa_journey").main(live_server.url)
    assert claims["preferred_username"].startswith("qa.journey.")
    assert {"otp", "mfa"} <= set(claims["amr"]) and claims["acr"] == "urn:ohid:loa:2"
    assert claims["phone_number_verified"] is True
    assert "signed in to optum-connect-claims-online" in capsys.readouterr().out


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_playwright_journey_example(live_server):
    # Run as a user would, in its own process (one Playwright per process: the browser
    # tests' session may already hold this one).
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "qa_journey_playwright.py"), live_server.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "back at the portal: http://localhost:5001/callback?" in result.stdout
    assert "code=" in result.stdout
