"""The file upload as an app calls it (lark-oapi's raw request, multipart), and a definition with file widgets."""

from __future__ import annotations

import io
import json
from typing import Any

import lark_oapi as lark
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
from requests_toolbelt import MultipartEncoder

from tests.api.helpers import create_instance, get_instance

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # enough of a PNG for the type check: its signature


def upload(client: lark.Client, name: str, kind: str, content: bytes) -> tuple[int, dict[str, Any]]:
    """(HTTP status, answer) of ``POST /approval/openapi/v2/file/upload``, sent as the page's SDK example sends it."""
    form = MultipartEncoder({"name": name, "type": kind, "content": (name, io.BytesIO(content))})
    req = (lark.BaseRequest.builder().http_method(lark.HttpMethod.POST).uri("/approval/openapi/v2/file/upload")
           .token_types({lark.AccessTokenType.TENANT}).headers({"Content-Type": form.content_type}).body(form)
           .build())
    resp = client.request(req)
    return resp.raw.status_code, json.loads(resp.raw.content)


def file_definition(client: lark.Client) -> str:
    """A definition with an attachment widget and an image widget (and one approver, bob); its code."""
    bob_open_id = get_instance(client, create_instance(client), "open_id").task_list[0].user_id
    widgets = [{"id": "files", "type": "attachmentV2", "name": "@i18n@files"},
               {"id": "photo", "type": "image", "name": "@i18n@photo"}]
    body = (ApprovalCreate.builder().approval_name("@i18n@name")
            .viewers([ApprovalCreateViewers.builder().viewer_type("TENANT").build()])
            .form(ApprovalForm.builder().form_content(json.dumps(widgets)).build())
            .node_list([ApprovalNode.builder().id("START").build(),
                        ApprovalNode.builder().id("boss").name("@i18n@boss").node_type("AND").approver(
                            [ApprovalApproverCcer.builder().type("Personal").user_id(bob_open_id).build()]).build(),
                        ApprovalNode.builder().id("END").build()])
            .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts([
                I18nResourceText.builder().key(k).value(v).build()
                for k, v in (("@i18n@name", "报销"), ("@i18n@files", "附件"), ("@i18n@photo", "照片"),
                             ("@i18n@boss", "老板"))]).build()]).build())
    resp = client.approval.v4.approval.create(CreateApprovalRequest.builder().request_body(body).build())
    assert resp.code == 0, (resp.msg, resp.error)
    return str(resp.data.approval_code)
