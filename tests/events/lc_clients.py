"""What the long-connection tests share: a seed with a long-connection app, the official clients as child processes
(lark-oapi's ``lark.ws.Client`` and the Node SDK's ``WSClient``, each printing the events it receives as JSON lines),
an approval flow driven through lark-oapi, and the open connections as the server's store counts them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from tests.api.helpers import approve, create_instance, pending_task, reject
from tests.api.helpers_ops import transfer
from tests.events.receiver import KEY, TOKEN
from tests.seeds import ALL, test_seed

# The Node SDK's WSClient.start() takes only app ids of this shape (cli_ and 16 hex digits).
WS_APP, WS_SECRET = "cli_0123456789abcdef", "ws-secret"
# Clients reconnect within a second and retries come quickly (15 s becomes 150 ms, 1 h 36 s).
FAST = ["--ws-reconnect-nonce", "0", "--ws-reconnect-interval", "1", "--ws-ping-interval", "1",
        "--event-retry-scale", "0.01", "--rate-limit-scale", "0"]
HERE = Path(__file__).parent
NODE_DIR = HERE.parent / "node"


def lc_seed(callback_url: str = "") -> dict[str, Any]:
    """The suite's seed with a long-connection app; with ``callback_url``, cli_acme receives the same events by
    callback there (the reference the long connection is compared with)."""
    seed = test_seed()
    apps = seed["tenants"][0]["apps"]
    apps.append({"app_id": WS_APP, "app_secret": WS_SECRET, "scopes": ALL, "event_mode": "long_connection"})
    if callback_url:
        for app in apps:
            if app["app_id"] == "cli_acme":
                app.update(event_url=callback_url, encrypt_key=KEY, verification_token=TOKEN)
    return seed


def sdk(base_url: str, app_id: str = WS_APP, secret: str = WS_SECRET) -> lark.Client:
    return (lark.Client.builder().app_id(app_id).app_secret(secret).domain(base_url)
            .log_level(lark.LogLevel.ERROR).build())


def subscribe(client: lark.Client, code: str = "AND2") -> None:
    resp = client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code(code).build())
    assert resp.code == 0, resp.msg


def drive(client: lark.Client, i: int) -> str:
    """One instance of AND2 (bob and carol both approve): even ones bob transfers to erin, then erin and carol
    approve; odd ones carol rejects."""
    inst = create_instance(client, "AND2")
    if i % 2 == 0:
        assert transfer(client, "AND2", inst, "bob", pending_task(client, inst, "bob"), "erin").code == 0
        for user in ("erin", "carol"):
            assert approve(client, "AND2", inst, user, pending_task(client, inst, user)).code == 0
    else:
        assert reject(client, "AND2", inst, "carol", pending_task(client, inst, "carol")).code == 0
    return inst


def drive_many(client: lark.Client, n: int, threads: int = 4) -> list[str]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda i: drive(client, i), range(n)))


Step = tuple[str, str, str]  # (event type, status, the task's user) as both ways of receiving see it


def steps(events: list[dict[str, Any]]) -> dict[str, list[Step]]:
    """A client's events per instance, in the order received."""
    out: dict[str, list[Step]] = {}
    for e in events:
        out.setdefault(e["instance"], []).append((e["type"], e["status"], e["event"].get("user_id", "")))
    return out


def callback_steps(received: list[tuple[str, Any]]) -> dict[str, list[Step]]:
    """The same, from what the callback receiver (tests/events/receiver.py) got."""
    out: dict[str, list[Step]] = {}
    for kind, data in list(received):
        event: Any = data.event
        out.setdefault(event["instance_code"], []).append((kind, event["status"], event.get("user_id", "")))
    return out


class ClientProcess:
    """An SDK client in a child process; ``lines`` fills as it prints."""

    def __init__(self, argv: list[str], log: Path, cwd: Path | None = None) -> None:
        self.log = log
        self._err = open(log, "ab")  # noqa: SIM115 - closed by close()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._err, cwd=cwd)
        self.lines: list[dict[str, Any]] = []
        self.other: list[str] = []  # what else it printed (lark-oapi logs to stdout)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                self.lines.append(json.loads(raw))
            except ValueError:
                self.other.append(raw.decode(errors="replace"))

    @property
    def events(self) -> list[dict[str, Any]]:
        return [line for line in list(self.lines) if "type" in line]

    def wait_for(self, done: Callable[[ClientProcess], bool], what: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout_s:g}s; printed {self.lines}\n"
                                     f"{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)

    def wait_exit(self, timeout_s: float = 60.0) -> int:
        code = self.proc.wait(timeout=timeout_s)
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)
        self._err.close()


def python_client(base_url: str, log: Path, *extra: str, app_id: str = WS_APP, secret: str = WS_SECRET) -> ClientProcess:
    return ClientProcess([sys.executable, str(HERE / "long_connection_client.py"), base_url, app_id, secret, *extra],
                         log)


def node_client(base_url: str, log: Path, *extra: str, app_id: str = WS_APP, secret: str = WS_SECRET) -> ClientProcess:
    from tests.node.test_node__api import node_tools

    node, _ = node_tools()  # skips without node (fails in CI), runs npm ci when node_modules is missing
    return ClientProcess([node, str(NODE_DIR / "ws_client.js"), base_url, app_id, secret, *extra], log, cwd=NODE_DIR)


def connections(db_url: str) -> dict[str, int]:
    """Open long connections per app, as the server's store lists them."""
    from shenpi.app import Shenpi
    from shenpi.store import open_store

    async def count() -> dict[str, int]:
        svc = Shenpi(open_store(db_url))
        await svc.open()
        try:
            return await svc.long_connections.counts()
        finally:
            await svc.close()

    return asyncio.run(count())


def wait_connected(db_url: str, n: int, timeout_s: float = 30.0, app_id: str = WS_APP) -> None:
    deadline = time.monotonic() + timeout_s
    while connections(db_url).get(app_id, 0) != n:
        assert time.monotonic() < deadline, f"{n} connections of {app_id}: not within {timeout_s:g}s"
        time.sleep(0.1)
