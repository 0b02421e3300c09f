"""A portal's pytest suite, run from a directory of its own with only mock-ohid installed:
the plugin, QAClient, the journey helper and the soft authenticator are all it uses."""

from __future__ import annotations

from pathlib import Path

PORTAL_SUITE = Path(__file__).parent / "portal"


def test_a_portal_suite_in_its_own_directory_passes_with_the_public_api(pytester):
    for source in PORTAL_SUITE.glob("*.py"):
        pytester.makepyfile(**{source.stem: source.read_text()})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "-s", "-W", "error")
    result.assert_outcomes(passed=9)
    timings = [line for line in result.outlines if "created and signed in over HTTP" in line]
    assert len(timings) == 2, result.outlines
