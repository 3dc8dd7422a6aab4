"""The definition editor refuses a document nested thousands of levels deep (JSON or YAML) with its own error, a
400 page, instead of a plain-text 500; the connection keeps serving the next request."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("fmt", "body"), [
    ("json", "[" * 50_000 + "]" * 50_000),
    ("json", '{"a": ' * 5_000 + "1" + "}" * 5_000),
    ("yaml", "[" * 50_000 + "]" * 50_000),
    ("yaml", "".join(" " * i + "a:\n" for i in range(400)) + " " * 400 + "b: 1\n"),
])
def test_a_deeply_nested_definition_answers_the_editor(browser, fmt, body):
    dana = browser("dana")
    r = dana.post("/admin/definitions/LEAVE", {"format": fmt, "body": body, "do": "validate"},
                  csrf_from="/admin/definitions/LEAVE")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html"), r.text[:300]
    assert "not valid" in r.text
    assert dana.get("/inbox").status_code == 200
