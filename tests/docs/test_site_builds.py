"""The documentation site builds with `mkdocs build --strict`: a broken link, a missing
image, an anchor that does not exist or a page left out of the nav fails the suite."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _config() -> dict:
    # mkdocs.yml uses no YAML tags, so the safe loader reads all of it.
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text())


def _nav_pages(nav) -> list[str]:
    pages = []
    for entry in nav:
        if isinstance(entry, str):
            pages.append(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                pages += [value] if isinstance(value, str) else _nav_pages(value)
    return pages


def test_mkdocs_build_strict_passes_without_a_warning(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "WARNING" not in output, output[-4000:]
    assert (site / "index.html").is_file()
    assert (site / "qa" / "openapi.json").is_file()
    # The QA API page embeds the exported document, not only a link to it.
    assert "mock-ohid QA API" in (site / "qa" / "api" / "index.html").read_text()


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    nav = _nav_pages(_config()["nav"])
    assert len(nav) == len(set(nav)), "a page is in the nav twice"
    assert set(nav) == pages, {
        "not in the nav": sorted(pages - set(nav)),
        "in the nav, no such page": sorted(set(nav) - pages),
    }


def test_images_in_raw_html_exist():
    # mkdocs checks Markdown links and images; the gallery's <img> tags are raw HTML.
    missing = []
    for page in DOCS.rglob("*.md"):
        for source in re.findall(r'<img [^>]*src="([^"]+)"', page.read_text()):
            if not (page.parent / source).is_file():
                missing.append(f"{page.relative_to(DOCS)}: {source}")
    assert not missing


def test_the_built_site_stays_out_of_the_checkout():
    config = _config()
    assert config["docs_dir"] == "docs"
    site_dir = config["site_dir"].rstrip("/")
    ignored = (ROOT / ".gitignore").read_text().split()
    assert f"{site_dir}/" in ignored or site_dir in ignored


def test_the_screens_page_is_the_gallerys_own():
    from tests.e2e.gallery import INDEX_HEADER

    assert (DOCS / "screens" / "index.md").read_text().startswith(INDEX_HEADER)
