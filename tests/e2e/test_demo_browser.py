"""`mock-ohid demo` in a real Chromium: single sign-on between the Optum Connect portals,
and a sign-out at one reaching the other by back-channel logout."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from tests.live import clean_env, mock_ohid_command

pytestmark = pytest.mark.browser

PORTAL_LINE = re.compile(r"^  (.+?)\s+(http://localhost:\d+)/$")


class Demo:
    """`mock-ohid demo --any-ports` as a user runs it; its portals by name."""

    def __init__(self, cwd: Path):
        self.process = subprocess.Popen(
            [*mock_ohid_command(), "demo", "--any-ports"],
            cwd=cwd,
            env=clean_env(MOCK_OHID_SECURITY_PASSWORD_HASH_PROFILE="fast"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.portals: dict[str, str] = {}
        while True:
            line = self.lines.get(timeout=60)
            match = PORTAL_LINE.match(line)
            if match:
                self.portals[match.group(1)] = match.group(2)
            if "Ctrl-C stops." in line:
                break

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line.rstrip("\n"))

    def interrupt(self) -> int:
        """Ctrl-C, as a person stops it; the exit code."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def demo(tmp_path):
    running = Demo(tmp_path)
    try:
        yield running
    finally:
        running.kill()


def sign_in(page, username="demo.provider", password="Password1"):
    page.get_by_label("One Healthcare ID or Email Address").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_sso_between_optum_connect_portals_and_back_channel_sign_out(demo, page, screens_dir):
    cop = demo.portals["Claims Online Portal"]
    pip = demo.portals["Physician Info Portal"]
    assert set(demo.portals) == {
        "Claims Online Portal",
        "Physician Info Portal",
        "Optum Pro",
        "Optum Provider Portal",
        "Provider Express",
    }
    page.set_viewport_size({"width": 1100, "height": 720})
    page.goto(f"{cop}/")
    assert page.get_by_role("heading", name="Welcome to OPTUM-CONNECT.COM").is_visible()
    assert page.get_by_role("link", name="Sign Me Up").is_visible()
    screens_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screens_dir / "demo-landing.png"))

    page.get_by_role("link", name="Log In (With OHID)").click()
    sign_in(page)
    page.wait_for_url(f"{cop}/")
    assert page.locator("#signed-in-state").is_visible()
    assert "1234567893" in page.locator('#portal-claims tr[data-claim="npi"]').inner_text()

    # Single sign-on: the Physician Info Portal signs in without asking again.
    page.goto(f"{pip}/")
    page.get_by_role("link", name="Log In (With OHID)").click()
    page.wait_for_url(f"{pip}/")
    assert "demo.provider" in page.locator("#signed-in-state").inner_text()

    # Sign out at the Physician Info Portal (its ID token as the hint, so no confirmation);
    # the Claims Online Portal hears of it by back-channel logout.
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(f"{pip}/**")
    assert page.locator("#signed-out-state").is_visible()
    page.goto(f"{cop}/")
    assert "back-channel logout" in page.locator("#notice").inner_text()
    assert page.locator("#signed-out-state").is_visible()

    assert demo.interrupt() == 0
    assert "Stopped." in "".join(demo.output)


def test_provider_express_first_time_user_opens_create_one_healthcare_id(demo, page):
    # Provider Express sends prompt=create: straight to "Create One Healthcare ID".
    page.goto(f"{demo.portals['Provider Express']}/")
    page.get_by_role("link", name="First-Time User").click()
    heading = page.get_by_role("heading", name="Create One Healthcare ID")
    # Wait for the page the two redirects lead to, not just for its URL.
    heading.wait_for()
    assert heading.is_visible()
