"""Every screen of every journey, walked in Chromium and checked by machine.

At 1280 px: every input is reachable by `get_by_label` with its visible label, no id is
used twice, and axe-core finds no serious or critical violation (exceptions, with
reasons, in screens.ALLOWED_AXE). At 375 px: nothing scrolls sideways.
"""

from __future__ import annotations

import pytest

from tests.e2e.gallery import prepare, walk_all
from tests.e2e.screens import check_screen, sideways_overflow

pytestmark = pytest.mark.browser


def test_every_screen_passes_labels_ids_axe_and_fits_a_phone(live_server, browser):
    prepare(live_server.app)
    problems = []

    def visit(page, screen):
        try:
            check_screen(page, screen.name)
        except AssertionError as exc:
            problems.append(str(exc))
        page.set_viewport_size({"width": 375, "height": 740})
        overflow = sideways_overflow(page)
        if overflow > 0:
            problems.append(f"{screen.name}: {overflow}px wider than a 375 px phone")
        page.set_viewport_size({"width": 1280, "height": 800})

    settings = live_server.app.extensions["mock_ohid.settings"]
    screens = walk_all(live_server.url, browser, visit, settings, live_server.app)
    assert len(screens) >= 40
    assert not problems, "\n\n".join(problems)
