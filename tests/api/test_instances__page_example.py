"""Instance create runs the request example of Feishu's page verbatim (a number widget given as "4").

https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import CreateInstanceRequest, InstanceCreate

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import get_instance
from tests.conftest import start_server
from tests.seeds import test_seed

# The page's "请求体示例", as published.
PAGE_EXAMPLE = r"""{
    "approval_code":"4202AD96-9EC1-4284-9C48-B923CDC4F30B",
    "user_id":"59a92c4a",
    "open_id":"ou_806a18fb5bdf525e38ba219733bdbd73",
    "form":"[{\"id\":\"111\",\"type\":\"input\",\"value\":\"11111\"},{\"id\":\"222\",\"required\":true,\"type\":\"dateInterval\",\"value\":{\"start\":\"2019-10-01T08:12:01+08:00\",\"end\":\"2019-10-02T08:12:01+08:00\",\"interval\": 2.0}},{\"id\":\"333\",\"type\":\"radioV2\",\"value\":\"1\"},{\"id\":\"444\",\"type\":\"number\", \"value\":\"4\"},{\"id\":\"555\",\"type\":\"textarea\",\"value\":\"fsafs\"}]",
    "node_approver_user_id_list":[
        {"key": "46e6d96cfa756980907209209ec03b64","value":["59a92c4a"]},
        {"key": "manager_node_id","value":["59a92c4a"]}
    ],
    "node_approver_open_id_list":[
        {"key": "46e6d96cfa756980907209209ec03b64","value":["ou_806a18fb5bdf525e38ba219733bdbd73"]},
        {"key": "manager_node_id","value":["ou_806a18fb5bdf525e38ba219733bdbd73"]}
    ],
    "node_cc_user_id_list":[
        {"key": "46e6d96cfa756980907209209ec03b64","value":["59a92c4a"]},
        {"key": "manager_node_id","value":["59a92c4a"]}
    ],
    "node_cc_open_id_list":[
        {"key": "46e6d96cfa756980907209209ec03b64","value":["ou_806a18fb5bdf525e38ba219733bdbd73"]},
        {"key": "manager_node_id","value":["ou_806a18fb5bdf525e38ba219733bdbd73"]}
    ]
}"""  # noqa: E501 (the page's text, verbatim)

# A definition the example fits: the widgets it fills, and the two nodes it names (by those keys) with approvers
# chosen at submission. The radio's options are written as the definition page documents them ({key, text}).
_FORM = [
    {"id": "111", "type": "input", "name": "@i18n@w111", "required": True},
    {"id": "222", "type": "dateInterval", "name": "@i18n@w222", "required": True},
    {"id": "333", "type": "radioV2", "name": "@i18n@w333", "required": True,
     "value": [{"key": "1", "text": "@i18n@opt1"}, {"key": "2", "text": "@i18n@opt2"}]},
    {"id": "444", "type": "number", "name": "@i18n@w444", "required": True},
    {"id": "555", "type": "textarea", "name": "@i18n@w555", "required": True},
]
_TEXTS = ["@i18n@example", "@i18n@w111", "@i18n@w222", "@i18n@w333", "@i18n@w444", "@i18n@w555", "@i18n@opt1",
          "@i18n@opt2", "@i18n@node"]


def _seed() -> dict[str, Any]:
    seed = test_seed()
    acme = seed["tenants"][0]
    acme["users"].append({"user_id": "59a92c4a", "name": "Example", "open_id": "ou_806a18fb5bdf525e38ba219733bdbd73",
                          "department_ids": ["eng"]})
    acme["approvals"].append({
        "approval_code": "4202AD96-9EC1-4284-9C48-B923CDC4F30B", "approval_name": "@i18n@example",
        "viewers": [{"viewer_type": "TENANT"}], "form": {"form_content": json.dumps(_FORM)},
        "node_list": [{"id": "START"},
                      {"id": "46e6d96cfa756980907209209ec03b64", "name": "@i18n@node", "node_type": "AND",
                       "approver": [{"type": "Free"}], "starter_assignee": "STARTER"},
                      {"id": "manager_node_id", "name": "@i18n@node", "node_type": "AND",
                       "approver": [{"type": "Free"}], "starter_assignee": "STARTER"},
                      {"id": "END"}],
        "i18n_resources": [{"locale": "zh-CN", "is_default": True,
                            "texts": [{"key": k, "value": k[6:]} for k in _TEXTS]}],
    })
    return seed


@pytest.fixture(scope="module")
def example_client(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[lark.Client]:
    srv: ShenpiProcess = start_server(tmp_path_factory.mktemp(f"page-example-{backend}"), "example", backend,
                                      seed=_seed())
    forget_sdk_tokens()
    yield (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    srv.close()
    forget_sdk_tokens()


def test_the_pages_request_example_creates_an_instance(example_client: lark.Client) -> None:
    body = InstanceCreate(json.loads(PAGE_EXAMPLE))
    resp = example_client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body).build())
    assert resp.code == 0, (resp.code, resp.msg, resp.error)
    got = get_instance(example_client, resp.data.instance_code)
    assert {w["id"]: w["value"] for w in json.loads(got.form)}["444"] == "4"
    assert [t.user_id for t in got.task_list if t.status == "PENDING"] == ["59a92c4a"]


def test_a_number_widget_refuses_what_is_not_a_number(example_client: lark.Client) -> None:
    example = json.loads(PAGE_EXAMPLE)
    form = json.loads(example["form"])
    form[3]["value"] = "four"
    example["form"] = json.dumps(form)
    resp = example_client.approval.v4.instance.create(
        CreateInstanceRequest.builder().request_body(InstanceCreate(example)).build())
    assert resp.code == 1390001 and resp.error["field_violations"][0]["field"] == "form[3].value"
