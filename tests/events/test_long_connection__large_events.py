"""An event larger than one frame's part (a definition saved with a long node list: ``approval.approval.updated_v4``
carries it as ``process_obj``) goes out in several data frames, and each SDK's client puts it back together."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalApproverCcer,
    ApprovalCreate,
    ApprovalCreateViewers,
    ApprovalForm,
    ApprovalNode,
    CreateApprovalRequest,
    I18nResource,
    I18nResourceText,
)

from shenpi.events.long_connection.frames import PART_BYTES
from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.events.lc_clients import FAST, lc_seed, node_client, python_client, sdk, subscribe, wait_connected

NODES = 400  # ~106 bytes of process_obj each: over 40 KiB, three parts or more


def _definition(nodes: int, code: str) -> ApprovalCreate:
    approver = [ApprovalApproverCcer.builder().type("Personal").user_id("bob").build()]
    builder = ApprovalCreate.builder().approval_code(code) if code else ApprovalCreate.builder()
    return (builder.approval_name("@i18n@name")
            .viewers([ApprovalCreateViewers.builder().viewer_type("TENANT").build()])
            .form(ApprovalForm.builder().form_content(json.dumps([
                {"id": "reason", "type": "input", "name": "@i18n@name", "required": True}])).build())
            .node_list([ApprovalNode.builder().id("START").build(),
                        *(ApprovalNode.builder().id(f"step-{i:04d}").name("@i18n@name").node_type("AND")
                          .approver(approver).build() for i in range(nodes)),
                        ApprovalNode.builder().id("END").build()])
            .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts([
                I18nResourceText.builder().key("@i18n@name").value("大表单").build()]).build()])
            .build())


def _save(client: lark.Client, nodes: int, code: str = "") -> str:
    """A new definition (a new version of ``code``); its code."""
    resp = client.approval.v4.approval.create(CreateApprovalRequest.builder().user_id_type("user_id")
                                              .request_body(_definition(nodes, code)).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return str(resp.data.approval_code)


@pytest.fixture
def server(backend: str, tmp_path: Path) -> Iterator[tuple[ShenpiProcess, str]]:
    srv = start_server(tmp_path, "lclarge", backend, lc_seed(), args=FAST)
    forget_sdk_tokens()
    api = sdk(srv.base_url)
    code = _save(api, 1)
    subscribe(api, code)
    yield srv, code
    srv.close()
    forget_sdk_tokens()


@pytest.mark.parametrize("start", [python_client, node_client], ids=["lark-oapi", "node-sdk"])
def test_a_large_event_arrives_whole(server: tuple[ShenpiProcess, str], tmp_path: Path, start) -> None:
    srv, code = server
    client = start(srv.base_url, tmp_path / "client.log")
    try:
        wait_connected(srv.db_url, 1)
        _save(sdk(srv.base_url), NODES, code)
        client.wait_for(lambda c: any(e["type"] == "approval.approval.updated_v4" for e in c.events), "the event")
        [event] = [e["event"] for e in client.events]
        if "object" in event:  # lark-oapi's client prints the whole event, the Node script the object's size
            process = event["object"]["process_obj"]
            assert [n["id"] for n in json.loads(process)["node_list"]][1:-1] == [f"step-{i:04d}" for i in range(NODES)]
            size = len(process.encode())
        else:
            size = event["process_obj_bytes"]
        assert size > 2 * PART_BYTES  # so it went in three parts or more
    finally:
        client.close()
