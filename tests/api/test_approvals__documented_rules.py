"""Definition create and get, against the rules and shapes Feishu's pages document.

- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/create
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/approval-definition-form-control-parameters
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/approval/get
"""

from __future__ import annotations

import json
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import ApprovalCreate, CreateApprovalRequest, GetApprovalRequest

from tests.api.helpers import create_instance

_TEXTS = {"@i18n@purchase": "采购", "@i18n@reason": "事由", "@i18n@kind": "类型", "@i18n@laptop": "笔记本",
          "@i18n@phone": "手机", "@i18n@extras": "配件", "@i18n@boss": "老板", "@i18n@count": "数量"}


def _body(**changes: Any) -> dict[str, Any]:
    form = [
        {"id": "reason", "type": "input", "name": "@i18n@reason", "required": True},
        {"id": "kind", "type": "radioV2", "name": "@i18n@kind", "required": True,
         "value": [{"key": "laptop", "text": "@i18n@laptop"}, {"key": "phone", "text": "@i18n@phone"}]},
        {"id": "extras", "type": "checkboxV2", "name": "@i18n@extras", "required": False,
         "value": [{"key": "mouse", "text": "@i18n@laptop"}, {"key": "case", "text": "@i18n@phone"}]},
    ]
    body: dict[str, Any] = {
        "approval_name": "@i18n@purchase", "viewers": [{"viewer_type": "TENANT"}],
        "form": {"form_content": json.dumps(changes.pop("form", form))},
        "node_list": [{"id": "START"}, {"id": "boss", "name": "@i18n@boss", "node_type": "AND",
                                        "approver": [{"type": "Personal", "user_id": "bob"}]}, {"id": "END"}],
        "i18n_resources": [{"locale": "zh-CN", "is_default": True,
                            "texts": [{"key": k, "value": v} for k, v in _TEXTS.items()]}],
    }
    body.update(changes)
    return body


def _create(client: lark.Client, body: dict[str, Any]) -> Any:
    req = CreateApprovalRequest.builder().user_id_type("user_id").request_body(ApprovalCreate(body)).build()
    return client.approval.v4.approval.create(req)


def _created(client: lark.Client, body: dict[str, Any]) -> str:
    resp = _create(client, body)
    assert resp.code == 0, (resp.code, resp.msg, resp.error)
    return str(resp.data.approval_code)


def test_options_written_as_key_and_text_are_the_values_an_instance_chooses(client: lark.Client) -> None:
    code = _created(client, _body())
    assert create_instance(client, code, form=[{"id": "reason", "type": "input", "value": "new laptop"},
                                               {"id": "kind", "type": "radioV2", "value": "laptop"},
                                               {"id": "extras", "type": "checkboxV2", "value": ["mouse", "case"]}])
    for wrong in ({"id": "kind", "type": "radioV2", "value": "tablet"},
                  {"id": "extras", "type": "checkboxV2", "value": ["mouse", "stand"]}):
        with pytest.raises(AssertionError, match="1390001"):
            create_instance(client, code, form=[{"id": "reason", "type": "input", "value": "x"}, wrong])


def test_get_shows_each_widgets_default_value_fields_and_its_options(client: lark.Client) -> None:
    code = _created(client, _body())
    got = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).build())
    assert got.code == 0, got.msg
    widgets = {w["id"]: w for w in json.loads(got.data.form)}
    for w in widgets.values():
        assert (w["enable_default_value"], w["widget_default_value"], w["default_value_type"]) == (False, "", "")
        assert isinstance(w["required"], bool)
    assert widgets["kind"]["option"] == [{"value": "laptop", "text": "笔记本"}, {"value": "phone", "text": "手机"}]


@pytest.mark.parametrize(("changes", "field"), [
    ({"approval_name": "Purchase"}, "approval_name"),  # not an i18n key
    ({"approval_name": "@i18n@ab",  # shorter than 9 characters, though it has a text
      "i18n_resources": [{"locale": "zh-CN", "is_default": True,
                          "texts": [{"key": k, "value": v} for k, v in {**_TEXTS, "@i18n@ab": "短"}.items()]}]},
     "approval_name"),
    ({"description": "@i18n@nowhere"}, "description"),  # a key with no text
    ({"form": [{"id": "reason", "type": "input", "name": "Reason", "required": True}]},
     "form.form_content[0].name"),
    ({"form": [{"id": "kind", "type": "radioV2", "name": "@i18n@kind", "required": True,
                "value": [{"key": "1", "text": "Laptop"}]}]}, "form.form_content[0].value[0].text"),
    ({"node_list": [{"id": "START"}, {"id": "boss", "name": "@i18n@nobody", "node_type": "AND",
                                      "approver": [{"type": "Personal", "user_id": "bob"}]}, {"id": "END"}]},
     "node_list[1].name"),
    ({"i18n_resources": [{"locale": "zh-CN", "is_default": False,
                          "texts": [{"key": k, "value": v} for k, v in _TEXTS.items()]}]}, "i18n_resources"),
    # the default locale must hold every key; another locale's text does not count
    ({"i18n_resources": [{"locale": "zh-CN", "is_default": True, "texts": [{"key": "@i18n@purchase", "value": "采购"}]},
                         {"locale": "en-US", "is_default": False,
                          "texts": [{"key": k, "value": v} for k, v in _TEXTS.items()]}]},
     "form.form_content[0].name"),
])
def test_the_i18n_key_rules_of_names(client: lark.Client, changes: dict[str, Any], field: str) -> None:
    resp = _create(client, _body(**changes))
    assert resp.code == 1390001, (resp.code, resp.msg)
    assert resp.error["field_violations"][0]["field"] == field


@pytest.mark.parametrize("widget_type", ["formula", "serialNumber", "leaveGroupV2", "tripGroup", "mutableGroup"])
def test_widget_types_the_definition_api_does_not_accept(client: lark.Client, widget_type: str) -> None:
    form = [{"id": "reason", "type": "input", "name": "@i18n@reason", "required": True},
            {"id": "calc", "type": widget_type, "name": "@i18n@count", "required": False}]
    resp = _create(client, _body(form=form))
    assert resp.code == 1390001, (resp.code, resp.msg)
    assert resp.error["field_violations"][0]["field"] == "form.form_content[1].type"
