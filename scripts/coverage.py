"""Generate docs/coverage.md from lark-oapi's own request builders: every approval v4 and apaas v1 approval
method, its HTTP method and path, whether shenpi routes it, which tests drive it, and what its contract file
(shenpi/contract/endpoints/) says: the scopes that grant it and how many of its documented codes and rules name
the test that proves them.

    python scripts/coverage.py           # rewrite docs/coverage.md
    python scripts/coverage.py --check   # exit 1 if a method has no route or no test, or the file is stale
    python scripts/coverage.py --untested   # list the contract entries with neither a test nor a reason

Like moto's coverage from botocore: the SDK is the list of what must exist; a test "drives" a method when a
test file calls it through the SDK (``.<resource>.<method>(`` in Python, ``.<resourceCamel>.<method>(`` in Node).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shenpi.contract import ErrorCode, Rule  # noqa: E402

OUT = ROOT / "docs" / "coverage.md"
SCOPE = [("approval", "v4", None), ("apaas", "v1", ("approval_instance", "approval_task", "user_task"))]


def sdk_methods() -> list[tuple[str, str, str, str, str]]:
    """(area, resource, method, HTTP method, uri) for every method in scope, from the SDK's builders."""
    out = []
    for area, version, only in SCOPE:
        pkg = importlib.import_module(f"lark_oapi.api.{area}.{version}.resource")
        for info in pkgutil.iter_modules(pkg.__path__):
            if only is not None and info.name not in only:
                continue
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                for name, fn in inspect.getmembers(cls, inspect.isfunction):
                    if name.startswith("_") or inspect.iscoroutinefunction(fn):
                        continue
                    req_cls = inspect.signature(fn).parameters["request"].annotation
                    req = req_cls.builder().build()
                    out.append((f"{area}/{version}", info.name, name, req.http_method.name, req.uri))
    return sorted(out)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def tests_driving(resource: str, method: str, sources: dict[str, str]) -> list[str]:
    py = re.compile(rf"\.{resource}\.{method}\(")
    js = re.compile(rf"\.{_camel(resource)}\.{_camel(method.rstrip('_'))}\(")
    return sorted(p for p, text in sources.items() if (py if p.endswith(".py") else js).search(text))


def routed() -> dict[tuple[str, str], str]:
    """(HTTP method, path) -> the route's endpoint name."""
    from shenpi.api.app import ROUTES

    return {(r.method, r.path): r.endpoint for r in ROUTES}


def tally(entries: Sequence[ErrorCode | Rule]) -> str:
    """``tested/all`` and, where there are any, how many are unreachable (with a reason) and untested."""
    tested = sum(1 for e in entries if e.test)
    unreachable = sum(1 for e in entries if not e.test and e.unreachable)
    untested = len(entries) - tested - unreachable
    extra = [f"{unreachable} unreachable"] * bool(unreachable) + [f"**{untested} untested**"] * bool(untested)
    return f"{tested}/{len(entries)}" + (f" ({', '.join(extra)})" if extra else "")


def contract_cells(endpoint: str | None) -> tuple[str, str]:
    """(scopes, proven) for a row: the contract's permission row, and codes and rules that name their test."""
    from shenpi.contract import load

    ep = load().get(endpoint or "")
    if ep is None:
        return "no contract file", ""
    scopes = ", ".join(f"`{s}`" for s in ep.scopes)
    return scopes, f"codes {tally(ep.errors)}, rules {tally(ep.rules)}"


def render() -> tuple[str, list[str]]:
    sources = {}
    for p in (ROOT / "tests").rglob("*"):
        if p.suffix in (".py", ".js", ".mjs") and "node_modules" not in p.parts:
            sources[str(p.relative_to(ROOT))] = p.read_text(encoding="utf-8")
    routes = routed()
    rows, missing = [], []
    methods = sdk_methods()
    for area, resource, method, http, uri in methods:
        tests = tests_driving(resource, method, sources)
        has_route = (http, uri) in routes
        scopes, proven = contract_cells(routes.get((http, uri)))
        if not tests or not has_route:
            missing.append(f"{area} {resource}.{method} ({http} {uri}): "
                           f"{'no route' if not has_route else ''}{' ' if not has_route and not tests else ''}"
                           f"{'no test' if not tests else ''}")
        shown = ", ".join(f"`{Path(t).name}`" for t in tests[:3]) + (f" +{len(tests) - 3}" if len(tests) > 3 else "")
        rows.append(f"| {area} | `{resource}.{method}` | {http} | `{uri}` | {'yes' if has_route else '**no**'} | "
                    f"{shown or '**none**'} | {scopes} | {proven} |")
    done = sum(1 for r in rows if "| **" not in r)
    in_sdk = {(http, uri) for *_, http, uri in methods}
    others = [f"| `{endpoint}` | {http} | `{uri}` | {' | '.join(contract_cells(endpoint))} |"
              for (http, uri), endpoint in sorted(routes.items(), key=lambda kv: kv[1]) if (http, uri) not in in_sdk]
    from shenpi.contract import load

    contract = load()
    codes = [e for ep in contract.values() for e in ep.errors]
    rules = [r for ep in contract.values() for r in ep.rules]
    entries: list[ErrorCode | Rule] = [*codes, *rules]
    text = "\n".join([
        "# SDK coverage",
        "",
        "Generated by `python scripts/coverage.py` from lark-oapi's request builders — do not edit by hand.",
        f"{done} of {len(rows)} approval v4 and aPaaS v1 methods are routed and driven by a test through the SDK.",
        f"{len(contract)} of {len(routes)} routed endpoints have a contract file; their files name a test for "
        f"{sum(1 for e in codes if e.test)} of {len(codes)} documented codes and "
        f"{sum(1 for r in rules if r.test)} of {len(rules)} rules.",
        "",
        "| entries (codes and rules) | tested | unreachable (with a reason) | untested |",
        "|---|---|---|---|",
        f"| {len(entries)} | {sum(1 for e in entries if e.test)} | "
        f"{sum(1 for e in entries if not e.test and e.unreachable)} | "
        f"{sum(1 for e in entries if not e.test and not e.unreachable)} |",
        "",
        "Unreachable: a condition no client can bring about in shenpi; the contract file says why in one sentence.",
        "Untested entries are listed by `python scripts/coverage.py --untested`.",
        "",
        "| area | SDK method | HTTP | path | routed | tests | scopes (contract) | proven (contract) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Routed endpoints outside lark-oapi's approval and aPaaS builders:",
        "",
        "| endpoint | HTTP | path | scopes (contract) | proven (contract) |",
        "|---|---|---|---|---|",
        *others,
        "",
    ])
    return text, missing


def untested() -> list[str]:
    """One line per entry that names no test and gives no reason: endpoint, code or rule, condition."""
    from shenpi.contract import load

    out = []
    for name, ep in sorted(load().items()):
        out += [f"{name} {e.code}: {e.when}" for e in ep.errors if not e.test and not e.unreachable]
        out += [f"{name} rule: {r.rule}" for r in ep.rules if not r.test and not r.unreachable]
    return out


def main() -> int:
    if "--untested" in sys.argv:
        print("\n".join(untested()))
        return 0
    text, missing = render()
    if "--check" in sys.argv:
        problems = list(missing)
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            problems.append("docs/coverage.md is stale: run python scripts/coverage.py")
        for p in problems:
            print(p)
        return 1 if problems else 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}; {len(missing)} methods lack a route or a test")
    for m in missing:
        print("  " + m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
