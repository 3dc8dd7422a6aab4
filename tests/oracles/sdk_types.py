"""Oracle (a): the Node SDK's declared return type of each client method, checked by ``tsc --strict``.

``@larksuiteoapi/node-sdk`` declares, in ``types/index.d.ts``, the answer of each method
(``Promise<{code?: number; msg?: string; data?: {...}}>``): which fields exist, which are required, and the JSON
type of each (times and int64 ids are ``string``). Each captured body becomes one line of a generated TypeScript
file, ``const rN: Awaited<ReturnType<Client["approval"]["v4"]["instance"]["get"]>> = <the body>;``, and one
``tsc`` run checks them all: a number where a string is declared, a field the SDK does not know (excess property
check of an object literal) and a missing required field are errors, reported at the line of the body. One run,
because the declarations file is 17 MB.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
TSC = NODE_DIR / "node_modules" / "typescript" / "bin" / "tsc"

_TSCONFIG = {"compilerOptions": {"strict": True, "noEmit": True, "skipLibCheck": True, "module": "nodenext",
                                 "moduleResolution": "nodenext", "types": [], "noErrorTruncation": False},
             "files": ["answers.ts"]}
_HEADER = ('import type { Client } from "@larksuiteoapi/node-sdk";\n'
           "type Answer<T extends (...args: any) => any> = Awaited<ReturnType<T>>;\n")
_ERROR = re.compile(r"^answers\.ts\((\d+),(\d+)\): error (TS\d+): (.*)$")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def node_method(endpoint: str) -> str:
    """``approval.v4.instance_comment.create`` -> ``Client["approval"]["v4"]["instanceComment"]["create"]`` (the
    Node SDK camel-cases resources and methods; Python's ``pass_`` is ``pass``)."""
    return "Client" + "".join(f'["{_camel(p)}"]' for p in endpoint.split("."))


@dataclass(frozen=True, slots=True)
class TypeError_:
    """One tsc error: the body (index into the checked list) it was reported at, and tsc's message."""

    index: int
    code: str
    message: str
    at: str  # the body's JSON text from where tsc points (the field it names), a few dozen characters


def tsc_available() -> bool:
    """Whether node and tests/node's typescript are there; installs tests/node from its lock file (``npm ci``) when
    npm is there but typescript is not (a fresh clone, or node_modules from before typescript was added)."""
    if shutil.which("node") is None:
        return False
    npm = shutil.which("npm")
    if not TSC.is_file() and npm is not None:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, timeout=300)
    return TSC.is_file()


def check(bodies: list[tuple[str, Any]]) -> list[TypeError_]:
    """Type-check each ``(endpoint, decoded JSON body)`` against the endpoint's declared return type, in one tsc
    run. Returns the errors, each tied to the body it was reported in."""
    lines = [f"const r{i}: Answer<{node_method(endpoint)}> = {json.dumps(body)};\n"
             for i, (endpoint, body) in enumerate(bodies)]
    skip = _HEADER.count("\n")
    with tempfile.TemporaryDirectory(prefix="shenpi-tsc-") as tmp:
        work = Path(tmp)
        (work / "answers.ts").write_text(_HEADER + "".join(lines), encoding="utf-8")
        (work / "tsconfig.json").write_text(json.dumps(_TSCONFIG), encoding="utf-8")
        os.symlink(NODE_DIR / "node_modules", work / "node_modules")
        node = shutil.which("node")
        assert node is not None
        proc = subprocess.run([node, str(TSC), "-p", ".", "--pretty", "false"], cwd=work, capture_output=True,
                              text=True, timeout=600)
    errors: list[TypeError_] = []
    for raw in proc.stdout.splitlines():
        m = _ERROR.match(raw)
        if m:
            index, col = int(m.group(1)) - 1 - skip, int(m.group(2)) - 1
            at = lines[index][col:col + 80].strip() if 0 <= index < len(lines) else ""
            errors.append(TypeError_(index, m.group(3), m.group(4), at))
        elif raw.startswith("  ") and errors:  # a continuation of the previous message
            last = errors[-1]
            errors[-1] = TypeError_(last.index, last.code, last.message + " " + raw.strip(), last.at)
    if proc.returncode != 0 and not errors:
        raise RuntimeError(f"tsc failed without an error at a body:\n{proc.stdout}\n{proc.stderr}")
    return errors
