"""Every test a contract file names exists: the file, and in it the test function (a node id of pytest's,
``path::test_name`` or ``path::TestClass::test_name``, with no parameters), so that a file cannot claim a proof
nobody wrote."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from shenpi.contract import load

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = load()


@cache
def _tests_in(path: str) -> frozenset[str]:
    """The node ids (without parameters) of the tests a file defines."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            out.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            out.update(f"{node.name}::{f.name}" for f in node.body
                       if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name.startswith("test"))
    return frozenset(out)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_every_cited_test_exists(name: str) -> None:
    missing = []
    for node_id in CONTRACT[name].tests():
        path, sep, test = node_id.partition("::")
        if not sep or "[" in test or not path.startswith("tests/") or not (ROOT / path).is_file():
            missing.append(node_id)
        elif test not in _tests_in(path):
            missing.append(node_id)
    assert missing == [], f"{name} names tests that do not exist (path::test_name, no parameters)"


def test_the_check_refuses_a_test_that_does_not_exist() -> None:
    assert "test_every_cited_test_exists" in _tests_in("tests/contract/test_contract__cited_tests_exist.py")
    assert "test_no_such_thing" not in _tests_in("tests/contract/test_contract__cited_tests_exist.py")
