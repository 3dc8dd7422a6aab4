"""Builders for the external (三方) approval rule tests: a valid instance, task, CC entry and definition to vary."""

from __future__ import annotations

import uuid

from lark_oapi.api.approval.v4 import (
    ApprovalCreateExternal,
    CcNode,
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExternalApproval,
    ExternalInstance,
    ExternalInstanceLink,
    ExternalInstanceTaskNode,
    I18nResource,
    I18nResourceText,
    ListExternalTaskRequest,
    ListExternalTaskRequestBody,
)

PARAM_INVALID = (400, 1390001)


def answer(resp) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return resp.raw.status_code, resp.code


def link() -> ExternalInstanceLink:
    return ExternalInstanceLink.builder().pc_link("https://erp.example/pc").build()


def texts(*keys: str) -> list[I18nResource]:
    """A default zh-CN locale with a text for @i18n@title and each of ``keys``."""
    return [I18nResource.builder().locale("zh-CN").is_default(True).texts(
        [I18nResourceText.builder().key(k).value(k[6:]).build() for k in ("@i18n@title", *keys)]).build()]


def task(n: int) -> ExternalInstanceTaskNode:
    return (ExternalInstanceTaskNode.builder().task_id(f"t{n}").user_id("bob").status("PENDING").links(link())
            .create_time(1).end_time(0).update_time(1).build())


def cc(n: int) -> CcNode:
    return (CcNode.builder().cc_id(f"c{n}").user_id("bob").read_status("UNREAD").links(link()).create_time(1)
            .update_time(1).build())


def instance(**leave_out: bool):  # type: ignore[no-untyped-def]
    """A builder for a valid instance; ``leave_out`` names the fields not to set."""
    b = (ExternalInstance.builder().approval_code("EXT-RULES").instance_id(f"i-{uuid.uuid4().hex[:10]}")
         .status("PENDING").links(link()).title("@i18n@title").user_id("alice").update_time(1))
    if not leave_out.get("start_time"):
        b = b.start_time(1)
    if not leave_out.get("end_time"):
        b = b.end_time(0)
    if not leave_out.get("i18n_resources"):
        b = b.i18n_resources(texts())
    return b


def sync(client, body: ExternalInstance):  # type: ignore[no-untyped-def]
    return client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(body)
                                                       .build())


def list_tasks(client, page_size: int | None = None, **body: list[str]):  # type: ignore[no-untyped-def]
    b = ListExternalTaskRequest.builder().request_body(ListExternalTaskRequestBody.builder()
                                                       .approval_codes(body.get("approval_codes", []))
                                                       .instance_ids(body.get("instance_ids", [])).build())
    if page_size is not None:
        b = b.page_size(page_size)
    return client.approval.v4.external_task.list(b.build())


def definition(**fields: object) -> ExternalApproval:
    b = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code(f"EXT-{uuid.uuid4().hex[:8]}")
         .group_code("G").group_name("@i18n@g").external(ApprovalCreateExternal.builder().support_pc(True).build()))
    for name, value in fields.items():
        b = getattr(b, name)(value)
    body = b.build()
    if body.i18n_resources is None:  # the default locale gives every key the definition uses its text
        keys = [body.approval_name, body.group_name, body.description, body.external.biz_name]
        body.i18n_resources = texts(*(k for k in keys if isinstance(k, str) and k.startswith("@i18n@")))
    return body


def define(client, body: ExternalApproval):  # type: ignore[no-untyped-def]
    return client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(body)
                                                       .build())
