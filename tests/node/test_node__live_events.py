"""A running shenpi server pushes events to an app endpoint built with the Node SDK's EventDispatcher: the
SDK verifies the signature and decrypts, and the events arrive in the instance's order."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

import lark_oapi as lark
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from shenpi.testing import forget_sdk_tokens
from tests.api.helpers import create_instance, pending_task, reject
from tests.conftest import start_server
from tests.node.test_node__api import node_tools
from tests.seeds import test_seed

HERE = Path(__file__).parent
KEY, TOKEN = "node_live_key", "node_live_token"


def test_live_events_reach_the_node_sdk(backend, tmp_path):
    node, _ = node_tools()
    proc = subprocess.Popen([node, "receiver.js"], cwd=HERE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "ENCRYPT_KEY": KEY, "VERIFICATION_TOKEN": TOKEN})
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    port = lines.get(timeout=15).split()[1]
    seed = test_seed()
    for app in seed["tenants"][0]["apps"]:
        if app["app_id"] == "cli_acme":
            app.update(event_url=f"http://127.0.0.1:{port}/webhook/event", encrypt_key=KEY, verification_token=TOKEN)
    srv = start_server(tmp_path, "nodelive", backend, seed)
    forget_sdk_tokens()
    try:
        client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
                  .log_level(lark.LogLevel.ERROR).build())
        assert client.approval.v4.approval.subscribe(
            SubscribeApprovalRequest.builder().approval_code("AND2").build()).code == 0
        inst = create_instance(client, "AND2")
        assert reject(client, "AND2", inst, "bob", pending_task(client, inst, "bob")).code == 0
        got: list[tuple[str, str]] = []
        deadline = time.time() + 20
        while len(got) < 6 and time.time() < deadline:
            try:
                event = json.loads(lines.get(timeout=1))
            except queue.Empty:
                continue
            if event.get("instance_code") == inst:
                got.append((event["type"], event["status"]))
        assert got == [("approval_instance", "PENDING"), ("approval_task", "PENDING"), ("approval_task", "PENDING"),
                       ("approval_task", "REJECTED"), ("approval_task", "DONE"), ("approval_instance", "REJECTED")]
    finally:
        srv.close()
        proc.kill()
        forget_sdk_tokens()
