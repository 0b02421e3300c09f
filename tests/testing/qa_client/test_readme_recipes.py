"""Every Python snippet of the QA recipes runs against a live server: the docs' "Scripting
journeys (QA)" and "The pytest plugin" pages, and the README's "Script a journey"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from idp.testing import start_mock_ohid

ROOT = Path(__file__).resolve().parents[3]


def _section(path: str, start: str | None = None, end: str | None = None) -> str:
    text = (ROOT / path).read_text()
    if start is not None:
        text = text[text.index(start) :]
    if end is not None:
        text = text[: text.index(end)]
    return text


SOURCES = {
    "docs/qa/index.md": lambda: _section("docs/qa/index.md"),
    "docs/pytest-plugin.md": lambda: _section("docs/pytest-plugin.md"),
    "README.md": lambda: _section("README.md", "## Script a journey", "## Where to go next"),
}


def _snippets() -> list[tuple[str, str]]:
    return [
        (source, snippet)
        for source, text in SOURCES.items()
        for snippet in re.findall(r"```python\n(.*?)```", text(), flags=re.DOTALL)
    ]


def _settings(snippet: str) -> dict:
    if 'advance_clock("91d")' in snippet:
        # 91 days without a sign-in also deactivates the account while inactivity is on;
        # the recipe is about rotation (its page says so).
        return {"account.inactivity_days": 0}
    return {}


def test_each_page_has_its_recipes():
    counts = {source: 0 for source in SOURCES}
    for source, _ in _snippets():
        counts[source] += 1
    assert counts == {"docs/qa/index.md": 3, "docs/pytest-plugin.md": 1, "README.md": 1}


@pytest.mark.parametrize(
    ("source", "snippet"),
    _snippets(),
    ids=lambda value: value if value in SOURCES else value.strip().splitlines()[-1][:40],
)
def test_recipe_runs_as_written(source, snippet, tmp_path):
    running, stop = start_mock_ohid(tmp_path, _settings(snippet))
    try:
        namespace: dict = {"issuer": running.issuer, "__name__": "docs_snippet"}
        exec(compile(snippet, source, "exec"), namespace)  # noqa: S102 - our own docs
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value(mock_ohid=running)
    finally:
        stop()
