"""The fenced code blocks of the documentation, as a reader would paste them, and how each is run.

A block is run when its language is one of ``RUNNERS``; everything else (``text``, ``json``, pictures) is read, not
run. ``NOT_RUN`` names the runnable blocks that are deliberately left out, by file and first line, each with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The documentation a user reads: the README and docs/ (examples/ is run by tests/testing/test_recipes__examples.py).
DOC_FILES = ["README.md", "docs/*.md"]

# language tag → how it runs (see test_docs__code_blocks_run.py)
RUNNERS = {"bash": "shell", "sh": "shell", "shell": "shell", "console": "shell", "python": "python", "py": "python",
           "js": "node", "javascript": "node", "yaml": "seed", "yml": "seed"}

# (file, the start of the block's first line) → why the block is not run. Add a row for a block that cannot run
# here; a row that names no block fails the test, so the list never outlives the docs.
NOT_RUN: dict[tuple[str, str], str] = {
    ("README.md", "pip install . && shenpi serve --demo"):
        "installs this checkout into the current environment (the one the test runs from) and serves in the "
        "foreground; the server every other block runs against is this very `shenpi serve --demo`",
    ("README.md", "pip install -e '.[test]' && python -m pytest"): "the whole test suite, this test included",
    ("docs/operations.md", "shenpi serve --host 0.0.0.0 --port 8443"):
        "TLS set-up: a certificate and key of the reader's, under /etc and /var/lib",
    ("docs/operations.md", "shenpi serve --host 127.0.0.1 --port 8080 --workers 2 --db postgresql://"):
        "PostgreSQL set-up: a database host of the reader's (tests/events and tests/platform run --workers 2 on "
        "PostgreSQL)",
    ("docs/performance.md", "apt-get install -y wrk"):
        "the benchmark: installs system packages and loads the machine for minutes (python -m bench)",
    ("docs/long-connection.md", "const lark = require('@larksuiteoapi/node-sdk');"):
        "a service's main loop (WSClient never returns) for an app the demo does not have (the Node SDK takes only "
        "Feishu-shaped app ids); tests/node/test_node__long_connection.py drives WSClient against shenpi",
    ("docs/testing.md", "before(async () => {"):
        "an excerpt of examples/node/leave.test.js, which tests/testing/test_recipes__examples.py runs whole",
}


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository
    line: int  # of the opening fence
    language: str
    code: str

    @property
    def first_line(self) -> str:
        return self.code.split("\n", 1)[0].strip()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")


def blocks_of(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, with the line of its opening fence."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        start, fence, indent = i, m["fence"], len(m["indent"])
        language = (m["info"].strip().split() or [""])[0].lower()
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        found.append(Block(str(path.relative_to(ROOT)), start + 1, language, "\n".join(body) + "\n"))
        i += 1
    return found


def doc_blocks() -> list[Block]:
    paths = sorted({p for pattern in DOC_FILES for p in ROOT.glob(pattern)})
    return [b for p in paths for b in blocks_of(p)]


def not_run_reason(block: Block) -> str | None:
    for (path, start), reason in NOT_RUN.items():
        if block.path == path and block.first_line.startswith(start):
            return reason
    return None


def runnable_blocks() -> list[Block]:
    return [b for b in doc_blocks() if b.language in RUNNERS and not_run_reason(b) is None]


def shell_commands(block: Block) -> str:
    """The shell text a reader would type: a ``console`` block's ``$ `` lines, any other shell block whole."""
    if block.language != "console":
        return block.code
    return "".join(line[2:] + "\n" for line in block.code.split("\n") if line.startswith("$ "))
