"""The Create page's live checklist (idp/static/register.js) agrees with the
username policy on every character class the policy names."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from idp.policy.usernames import username_rules
from idp.resources import PACKAGE_DIR
from idp.settings import load_settings

RULES = ("no_accents", "no_spaces", "no_symbols")
SAMPLE = [
    *range(0x00, 0x250),
    *range(0x2000, 0x2070),
    0x0300,
    0x0338,
    0x034F,
    0x0435,
    0x03BF,
    0x115F,
    0x180E,
    0x2800,
    0x3000,
    0x3164,
    0xE000,
    0xFEFF,
    0xFF11,
    0xFF44,
    0x1F600,
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_page_script_judges_each_character_as_the_policy_does():
    settings = load_settings(environ={}).username
    checks = {rule.key: rule.check for rule in username_rules(settings)}
    chars = [chr(code) for code in SAMPLE]
    expected = {c: [checks[key]("abcdef" + c) for key in RULES] for c in chars}
    script = (PACKAGE_DIR / "static" / "register.js").read_text()
    start, end = script.index("var SPACE_OR_INVISIBLE"), script.index("    password: {")
    program = (
        script[start:end].rstrip().rstrip(",")
        + "};\n"
        + f"var d = {{forbidden: {json.dumps(settings.forbidden_symbols)}}};\n"
        + f"var out = {{}}; {json.dumps(chars)}.forEach(function (c) {{\n"
        + "  var v = 'abcdef' + c, u = CHECKS.username;\n"
        + "  out[c] = [u.no_accents(v), u.no_spaces(v), u.no_symbols(v, d)];\n"
        + "});\nconsole.log(JSON.stringify(out));\n"
    )
    run = subprocess.run(
        ["node", "-e", program], capture_output=True, text=True, timeout=60, check=True
    )
    judged = json.loads(run.stdout)
    differ = {
        f"U+{ord(c):04X}": (expected[c], judged[c]) for c in chars if expected[c] != judged[c]
    }
    assert differ == {}
