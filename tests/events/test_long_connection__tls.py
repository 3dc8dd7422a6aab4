"""Under ``--tls-cert/--tls-key`` the discovered URL is ``wss://`` on the server's own host and port, and lark-oapi's
client connects over TLS and receives its events."""

from __future__ import annotations

from pathlib import Path

import pytest

from shenpi.testing import forget_sdk_tokens
from tests.cli.test_serve__tls import self_signed
from tests.conftest import start_server
from tests.events.lc_clients import FAST, drive, lc_seed, python_client, sdk, subscribe, wait_connected


def test_the_long_connection_over_tls(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls = self_signed(tmp_path)
    srv = start_server(tmp_path, "lctls", backend, lc_seed(), tls=tls, url_host="localhost", args=FAST)
    forget_sdk_tokens()
    # trust the self-signed certificate: requests (the API and the discovery call) and ssl (the WebSocket), also in
    # the client's process, which inherits the environment
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))
    client = python_client(srv.base_url, tmp_path / "client.log")
    try:
        wait_connected(srv.db_url, 1)
        api = sdk(srv.base_url)
        subscribe(api)
        inst = drive(api, 1)  # carol rejects: 6 events
        client.wait_for(lambda c: len(c.events) >= 6, "the events")
        assert [(e["type"], e["status"]) for e in client.events if e["instance"] == inst][-1] == \
            ("approval_instance", "REJECTED")
        assert any(f"connected to wss://localhost:{srv.port}/callback/ws/connect?" in line for line in client.other)
    finally:
        client.close()
        srv.close()
        forget_sdk_tokens()
