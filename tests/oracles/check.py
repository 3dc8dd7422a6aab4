"""The end-of-session check: every successful answer captured, against both oracles, one report."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tests.oracles import contract, known, sdk_types
from tests.oracles.capture import Answer


@dataclass
class Report:
    answers: int = 0  # every answer captured
    checked: int = 0  # distinct successful bodies
    contract_checked: int = 0
    tsc_seconds: float = 0.0
    problems: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))  # (oracle, endpoint)
    allowed: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # known disagreement -> errors let through

    def summary(self) -> str:
        allowed = sum(self.allowed.values())
        return (f"response oracles: {self.answers} answers, {self.checked} distinct successful ones type-checked "
                f"against the Node SDK in one tsc run ({self.tsc_seconds:.1f} s), {self.contract_checked} against "
                f"contract files; {allowed} known disagreement(s) let through, {len(self.problems)} endpoint(s) refused")

    def text(self, limit: int = 3) -> str:
        out = []
        for (oracle, endpoint), found in sorted(self.problems.items()):
            distinct = list(dict.fromkeys(found))
            out.append(f"{endpoint} ({oracle}): {len(found)} mismatch(es)")
            out.extend(f"    {m[:600]}" for m in distinct[:limit])
        return "\n".join(out)


def successful(answers: list[Answer]) -> list[tuple[str, str, Any]]:
    """(server, endpoint, body) of each distinct answer with ``code`` 0, the answers whose ``data`` an SDK decodes.
    Error envelopes carry no ``data`` a client reads."""
    seen: set[tuple[str, bytes]] = set()
    out = []
    for a in answers:
        if (a.endpoint, a.body) in seen:
            continue
        seen.add((a.endpoint, a.body))
        try:
            body = json.loads(a.body)
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("code") == 0:
            out.append((a.server, a.endpoint, body))
    return out


def check(answers: list[Answer], with_sdk_types: bool = True) -> Report:
    report = Report(answers=len(answers))
    bodies = successful(answers)
    report.checked = len(bodies)
    schemas = contract.response_schemas()
    for _, endpoint, body in bodies:
        schema = schemas.get(endpoint)
        if schema is not None:
            report.contract_checked += 1
            for m in contract.mismatches(schema, body.get("data")):
                report.problems[("contract", endpoint)].append(m)
    bodies = [b for b in bodies if b[1] not in known.WITHOUT_SDK_METHOD]
    if with_sdk_types and bodies:
        started = time.monotonic()
        errors = sdk_types.check([(endpoint, body) for _, endpoint, body in bodies])
        report.tsc_seconds = time.monotonic() - started
        for err in errors:
            endpoint = bodies[err.index][1] if 0 <= err.index < len(bodies) else "(generated file)"
            message = f"{err.code}: {err.message[:300]}"
            reason = known.allowed(endpoint, message, err.at)
            if reason is not None:
                report.allowed[reason.why] += 1
                continue
            report.problems[("node-sdk", endpoint)].append(f"{message} at {err.at}")
    return report
