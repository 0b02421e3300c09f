"""docs/qa/openapi.json is what the code serves at /_qa/openapi.json."""

from __future__ import annotations

from .export_openapi import EXPORT, rendered, served_document


def test_the_committed_openapi_export_is_what_the_server_serves():
    served = rendered(served_document())
    assert EXPORT.read_text() == served, (
        "docs/qa/openapi.json is out of date: run `python tests/docs/export_openapi.py`"
    )


def test_the_export_is_the_default_servers_document():
    document = served_document()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://localhost:8765"}]
    assert "/_qa/users" in document["paths"]
