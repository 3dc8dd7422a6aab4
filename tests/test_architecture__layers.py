"""The architecture holds: every import-linter contract in pyproject.toml is kept, only the application layer and
the store open store transactions, and no module outgrows 450 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "shenpi"
CONTRACTS = [c["id"] for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")  # from the test extra, beside this interpreter
MAX_LINES = 450
TRANSACTION_OWNERS = ("app", "store")  # the packages that may call ``store.transaction()``

@pytest.mark.parametrize("contract", CONTRACTS)
def test_import_contract_is_kept(contract: str) -> None:
    assert LINT_IMPORTS.exists(), "lint-imports is missing: pip install -e '.[test]'"
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", "--contract", contract], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_application_layer_and_the_store_open_transactions() -> None:
    found = []
    for path in _modules():
        if path.relative_to(PACKAGE).parts[0] in TRANSACTION_OWNERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "transaction":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_no_module_is_over_450_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text(encoding="utf-8").splitlines()))
            > MAX_LINES}
    assert long == {}
