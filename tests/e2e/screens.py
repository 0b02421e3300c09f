"""Machine checks every screen must pass: labels, unique ids, no sideways scroll, axe-core."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# axe-core rules allowed to fail, with the reason. Keep this list short and honest.
ALLOWED_AXE: dict[str, str] = {}

BLOCKING_IMPACTS = ("serious", "critical")

_AXE = Axe()

# Every input a person fills in (not hidden, not a button) is marked, with its label texts.
_CONTROLS_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'image', 'reset'].includes(el.type))
  .filter(el => el.getClientRects().length > 0)
  .map((el, n) => {
    el.setAttribute('data-label-check', String(n));
    return {
      n: String(n),
      where: el.id ? '#' + el.id : '[name=' + el.name + ']',
      labels: Array.from(el.labels || []).map(l => l.textContent.replace(/\\s+/g, ' ').trim()),
    };
  })
"""

_DUPLICATE_IDS_JS = """
() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
}
"""

_OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def label_problems(page) -> list[str]:
    """Inputs that `get_by_label` cannot reach by the text of their visible label."""
    problems = []
    for control in page.evaluate(_CONTROLS_JS):
        if not control["labels"] or not control["labels"][0]:
            problems.append(f"{control['where']} has no <label>")
            continue
        text = control["labels"][0]
        found = page.get_by_label(text, exact=True).evaluate_all(
            "(els, n) => els.some(e => e.getAttribute('data-label-check') === n)", control["n"]
        )
        if not found:
            problems.append(f"{control['where']}: get_by_label({text!r}) does not find it")
    return problems


def duplicate_ids(page) -> list[str]:
    """Ids used by more than one element (a label `for` one of them points at the first)."""
    return page.evaluate(_DUPLICATE_IDS_JS)


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(_OVERFLOW_JS)


def axe_violations(page) -> list[str]:
    """Serious or critical axe-core violations not in ALLOWED_AXE, one line each."""
    results = _AXE.run(page).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS or violation["id"] in ALLOWED_AXE:
            continue
        targets = ", ".join(t for node in violation["nodes"] for t in map(str, node["target"]))
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return lines


def check_screen(page, name: str = "", axe: bool = True) -> None:
    """Fail with every problem found on the current screen."""
    problems = [*label_problems(page)]
    problems += [f"id {i!r} is used more than once" for i in duplicate_ids(page)]
    overflow = sideways_overflow(page)
    if overflow > 0:
        problems.append(f"the page is {overflow}px wider than the window")
    if axe:
        problems += axe_violations(page)
    assert not problems, f"{name or page.url}:\n" + "\n".join(problems)
