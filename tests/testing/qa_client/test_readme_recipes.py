"""Every Python snippet of README's "Scripting journeys (QA)" runs against a live server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idp.testing import start_mock_ohid

README = Path(__file__).resolve().parents[3] / "README.md"


def _snippets() -> list[str]:
    text = README.read_text()
    section = text[
        text.index("## Scripting journeys (QA)") : text.index("## Security and robustness")
    ]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def _settings(snippet: str) -> dict:
    if 'advance_clock("91d")' in snippet:
        # 91 days without a sign-in also deactivates the account while inactivity is on
        # by default; the recipe is about rotation (README says so).
        return {"account.inactivity_days": 0}
    return {}


def test_the_section_has_its_recipes():
    assert len(_snippets()) >= 4


@pytest.mark.parametrize("snippet", _snippets(), ids=lambda s: s.strip().splitlines()[-1][:40])
def test_readme_snippet_runs_as_written(snippet, tmp_path):
    running, stop = start_mock_ohid(tmp_path, _settings(snippet))
    try:
        namespace: dict = {"issuer": running.issuer, "__name__": "readme_snippet"}
        exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - our own README
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value(mock_ohid=running)
    finally:
        stop()
