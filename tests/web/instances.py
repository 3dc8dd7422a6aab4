"""Making instances for the web tests through the Open API (what an integration's code would do)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import CreateInstanceRequest, GetInstanceRequest, InstanceCreate

from tests.web.helpers import WebClient, csrf_of

GOOD_FORM = [{"id": "reason", "type": "textarea", "value": "conference"}, {"id": "days", "type": "number", "value": 2}]


def create(sdk: lark.Client, user_id: str = "alice", approval_code: str = "LEAVE", title: str = "",
           form: list[dict[str, Any]] | None = None) -> str:
    body = (InstanceCreate.builder().approval_code(approval_code).user_id(user_id)
            .form(json.dumps(form or GOOD_FORM)).uuid(uuid.uuid4().hex))
    if title:
        body = body.title(title)
    resp = sdk.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body.build()).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return str(resp.data.instance_code)


def get(sdk: lark.Client, code: str) -> Any:
    resp = sdk.approval.v4.instance.get(GetInstanceRequest.builder().instance_id(code).user_id_type("user_id").build())
    assert resp.code == 0, (resp.code, resp.msg)
    return resp.data


def task_id_on_page(html: str) -> str:
    m = re.search(r'name="task_id" value="([^"]*)"', html)
    return m.group(1) if m else ""


def act(client: WebClient, code: str, action: str, **fields: Any) -> Any:
    """Post an action the way the instance page's form does (its CSRF token and task id)."""
    html = client.page(f"/instances/{code}")
    data = {"action": action, "task_id": task_id_on_page(html), **fields}
    return client.post(f"/instances/{code}", data, csrf=csrf_of(html))


def status_on_page(html: str) -> str:
    m = re.search(r'id="status" data-status="([A-Z]+)"', html)
    assert m, "no status on the page"
    return m.group(1)
