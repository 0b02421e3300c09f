"""Write the /_qa API's OpenAPI document into the docs: ``python tests/docs/export_openapi.py``.

The document is the one a server started with the defaults serves at
``/_qa/openapi.json`` (issuer ``http://localhost:8765``), fetched through the app as a
script would fetch it. ``docs/qa/openapi.json`` is committed so that the site embeds
it; ``tests/docs/test_openapi_export.py`` fails when it differs from what the code
serves, and this script brings it up to date.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "docs" / "qa" / "openapi.json"


def served_document() -> dict:
    """The OpenAPI document a fresh server with the default settings serves."""
    from idp import create_app

    with tempfile.TemporaryDirectory(prefix="mock-ohid-openapi-") as folder:
        app = create_app(
            overrides={
                "database.url": f"sqlite:///{Path(folder) / 'mock-ohid.db'}",
                "keys.dir": str(Path(folder) / "keys"),
                "server.instance_dir": str(Path(folder) / "instance"),
                "users.seed": False,
            },
            environ={},
        )
        answer = app.test_client().get("/_qa/openapi.json")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        document = answer.get_json()
    return document


def rendered(document: dict) -> str:
    """The file's text: sorted keys and two-space indents, so a change reads as a diff."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write docs/qa/openapi.json."""
    EXPORT.write_text(rendered(served_document()))
    print(f"wrote {EXPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    main()
