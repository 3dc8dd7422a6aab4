"""Every code block of README.md and docs/*.md a reader would paste runs as pasted (tests/docs/blocks.py lists the
few that are not run, each with why), and a failing block is reported by file:line.

The blocks run against one ``shenpi serve --demo``, the server the README starts, on a free port of 127.0.0.1 in a
working directory of its own (its database is ``shenpi.db`` there, as with the command alone), reset to the demo
data before each block. Rather than take port 8080 from whatever else runs on the machine, the test rewrites
``127.0.0.1:8080``, ``localhost:8080``, ``--port 8080`` and ``SHENPI_PORT=8080`` in a block to its server's port,
and sets ``LARK_DOMAIN`` (what the docs' code reads to find Feishu) to the server's origin. How each language runs:

- shell (``bash``, ``sh``, ``console``'s ``$`` lines): ``bash`` with ``set -eu``, in the server's
  working directory, with this Python's ``shenpi`` and ``python`` first on PATH. A block that starts a server of its
  own (``shenpi serve``) gets its own port and an empty directory holding the file's seed (its ``yaml`` block, as
  ``seed.yaml``); a server it leaves in the foreground passes once ``/healthz`` answers, and every server a block
  starts is stopped after it.
- ``python``: a block with tests or fixtures runs under pytest in its own directory (the installed plugin gives
  ``shenpi_server``; a block of fixtures alone gets one test that uses the server, so the fixtures apply); any
  other block runs as a script.
- ``js``: ``node``, with the Node SDK from tests/node's lock file.
- ``yaml``: a seed file (a top-level ``tenants``), checked by ``shenpi check-seed``; any other YAML (another
  tool's configuration, such as Prometheus's) must at least parse.

A pipeline's status is its last command's, as in the shell a reader pastes into (no ``pipefail``: ``curl … | head``
is a success, though ``head`` closing the pipe early stops the writer with SIGPIPE).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from shenpi.testing.process import free_port
from tests.docs.blocks import NOT_RUN, ROOT, RUNNERS, Block, doc_blocks, runnable_blocks, shell_commands

ADMIN_TOKEN = "docs-blocks"
TIMEOUT_S = 180
_PORT_8080 = re.compile(r"(127\.0\.0\.1:|localhost:|--port[ =]|SHENPI_PORT=)8080\b")
_SERVES = re.compile(r"(^|[\s;&|(])shenpi serve\b")
_TEST_OR_FIXTURE = re.compile(r"^\s*(def test_|@pytest\.fixture|class \w+\(unittest\.TestCase\))", re.M)


class DemoServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        with open(workdir / "server.log", "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "shenpi", "serve", "--demo", "--port", str(self.port),
                                          "--admin-token", ADMIN_TOKEN], cwd=workdir, stdout=log,
                                         stderr=subprocess.STDOUT)
        wait_healthy(self.base_url, self.proc)

    def reset(self) -> None:
        r = httpx.post(f"{self.base_url}/_shenpi/reset", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, json={})
        assert r.status_code == 200, r.text

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "shenpi serve --demo exited"
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("shenpi serve --demo did not answer /healthz")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    srv = DemoServer(tmp_path_factory.mktemp("docs-demo"))
    yield srv
    srv.close()


def environment(port: int) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHENPI_")}
    return {**env, "PATH": bin_dir + os.pathsep + env.get("PATH", ""), "LARK_DOMAIN": f"http://127.0.0.1:{port}",
            "NODE_PATH": str(ROOT / "tests" / "node" / "node_modules"), "PYTHONUNBUFFERED": "1"}


def run(block: Block, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run ``argv`` in its own process group (every process the block starts is stopped with it)."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{block.where}: the {block.language} block did not finish in {TIMEOUT_S} s:\n{out.decode()}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # what the block left running
        except ProcessLookupError:
            pass
    if proc.returncode != 0:
        pytest.fail(f"{block.where}: the {block.language} block failed (exit {proc.returncode}):\n"
                    f"{block.code}\n--- its output ---\n{out.decode(errors='replace')}", pytrace=False)


def shell_script(block: Block, port: int) -> str:
    lines = _PORT_8080.sub(lambda m: f"{m[1]}{port}", shell_commands(block)).rstrip("\n").split("\n")
    commands = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    last = commands[-1] if commands else -1
    waits = ""
    if last >= 0 and _SERVES.search(lines[last]) and not lines[last].rstrip().endswith("&"):
        lines[last] += " &"  # a server left in the foreground: it passes once it answers
        waits = (f"for _ in $(seq 300); do curl -sf http://127.0.0.1:{port}/healthz >/dev/null && exit 0; "
                 "sleep 0.2; done; echo 'the server did not answer /healthz' >&2; exit 1\n")
    return ("set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n"
            + "\n".join(lines) + "\n" + waits)


def run_shell(block: Block, demo: DemoServer, tmp: Path) -> None:
    cwd, port = demo.workdir, demo.port
    if _SERVES.search(shell_commands(block)):  # its own server: its own port and directory, the file's seed
        cwd, port = tmp, free_port()
        seeds = [b for b in doc_blocks() if b.path == block.path and RUNNERS.get(b.language) == "seed"
                 and b.code.lstrip().startswith("tenants:")]
        if seeds:
            (tmp / "seed.yaml").write_text(seeds[0].code, encoding="utf-8")
    env = {**environment(port), "SHENPI_PORT": str(port)}
    run(block, ["bash", "-c", shell_script(block, port)], cwd, env)


def run_python(block: Block, demo: DemoServer, tmp: Path) -> None:
    code = _PORT_8080.sub(lambda m: f"{m[1]}{demo.port}", block.code)
    env = environment(demo.port)
    if not _TEST_OR_FIXTURE.search(code):
        (tmp / "block.py").write_text(code, encoding="utf-8")
        run(block, [sys.executable, "block.py"], tmp, env)
        return
    if not re.search(r"^\s*(def test_|class \w+\(unittest\.TestCase\))", code, re.M):
        code += "\n\ndef test_the_fixtures_apply(shenpi_server):\n    shenpi_server.client()\n"
    (tmp / "test_block.py").write_text(code, encoding="utf-8")
    run(block, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_block.py"], tmp, env)


def run_node(block: Block, demo: DemoServer, tmp: Path) -> None:
    from tests.node.test_node__api import node_tools

    node, _ = node_tools()  # skips without node (fails in CI), installs the SDK from tests/node's lock file
    (tmp / "block.js").write_text(_PORT_8080.sub(lambda m: f"{m[1]}{demo.port}", block.code), encoding="utf-8")
    run(block, [node, "block.js"], tmp, environment(demo.port))


def run_seed(block: Block, demo: DemoServer, tmp: Path) -> None:
    document = yaml.safe_load(block.code)
    if not (isinstance(document, dict) and "tenants" in document):
        return  # not a seed: it parsed, which is all a YAML file for another tool can be checked for here
    (tmp / "seed.yaml").write_text(block.code, encoding="utf-8")
    run(block, [sys.executable, "-m", "shenpi", "check-seed", "seed.yaml"], tmp, environment(demo.port))


RUN = {"shell": run_shell, "python": run_python, "node": run_node, "seed": run_seed}


@pytest.mark.parametrize("block", runnable_blocks(), ids=lambda b: b.where)
def test_the_block_runs_as_pasted(block: Block, demo: DemoServer, tmp_path: Path) -> None:
    demo.reset()
    RUN[RUNNERS[block.language]](block, demo, tmp_path)


def test_every_block_left_out_is_still_in_the_docs_and_the_rest_run():
    blocks = doc_blocks()
    for (path, start), reason in NOT_RUN.items():
        matches = [b for b in blocks if b.path == path and b.first_line.startswith(start)]
        assert matches, f"NOT_RUN names a block that is gone: {path}: {start!r} ({reason})"
    assert len(runnable_blocks()) >= 10  # the extraction finds the blocks (README alone has several)
