"""CI fails when an approval v4 / aPaaS v1 method of lark-oapi has no route or no SDK-driven test, or when
docs/coverage.md is out of date (regenerate it with ``python scripts/coverage.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_sdk_method_is_routed_and_tested() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "coverage.py"), "--check"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
