"""axe-core in the e2e pages: its script (npm's ``axe-core``, pinned in tests/node's lock file) evaluated in the page,
then ``axe.run`` on the whole document. Where it is missing, tests/node is installed from its lock file (``npm ci``);
without npm the check skips, except under CI (``CI=true``), where it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

NODE = Path(__file__).resolve().parents[1] / "node"
SCRIPT = NODE / "node_modules" / "axe-core" / "axe.min.js"


@cache
def _source() -> str:
    if not SCRIPT.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE, capture_output=True, timeout=600,
                       check=False)
    if not SCRIPT.exists():
        message = f"{SCRIPT} is missing (cd tests/node && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SCRIPT.read_text(encoding="utf-8")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now: rule id, impact and the first few offending nodes.
    (Evaluated through the DevTools protocol, which the pages' script-src 'self' policy does not cover.)"""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found: list[dict[str, Any]] = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return found


def assert_no_violations(page: Any, state: str) -> None:
    found = violations(page)
    assert found == [], f"axe-core on {state}: {found}"
