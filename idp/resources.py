"""Where the bundled templates/ and config/ folders are.

In a checkout they sit beside the package (SPEC §1 layout); in an installed
wheel they ship inside it as ``idp/_templates`` and ``idp/_config``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED_NAMES = {"config": "_config", "templates": "_templates"}


def bundled_path(relative: str) -> Path:
    """Path of a bundled file such as ``config/default.toml`` or ``templates``."""
    top, _, rest = relative.partition("/")
    checkout = PACKAGE_DIR.parent / relative
    if checkout.exists():
        return checkout
    installed = PACKAGE_DIR / _INSTALLED_NAMES.get(top, top)
    return installed / rest if rest else installed
