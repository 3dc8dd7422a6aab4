"""External approvals, instances and tasks: stored and listed as sent; REPLACE and UPDATE modes."""

from __future__ import annotations

from lark_oapi.api.approval.v4 import (
    ApprovalCreateExternal,
    CheckExternalInstanceRequest,
    CheckExternalInstanceRequestBody,
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExteranlInstanceCheck,
    ExternalApproval,
    ExternalInstance,
    ExternalInstanceLink,
    ExternalInstanceTask,
    ExternalInstanceTaskNode,
    GetExternalApprovalRequest,
    I18nResource,
    I18nResourceText,
    ListExternalTaskRequest,
    ListExternalTaskRequestBody,
)


def ext_instance(iid: str, status: str, update_time: int, tasks: list[tuple[str, str]], mode: str = "REPLACE"):
    """An instance as the sync page requires it: i18n_resources, start/end/update times, each task's end_time, and
    the title as an @i18n@ key whose text i18n_resources gives."""
    texts = [I18nResourceText.builder().key("@i18n@title").value("Laptop").build()]
    return (ExternalInstance.builder().approval_code("EXT-1").instance_id(iid).status(status).update_time(update_time)
            .start_time(1).end_time(0).title("@i18n@title").update_mode(mode).user_id("alice")
            .links(ExternalInstanceLink.builder().pc_link("https://x/pc").mobile_link("https://x/m").build())
            .task_list([ExternalInstanceTaskNode.builder().task_id(t).user_id("bob").status(s).create_time(1)
                        .end_time(0).update_time(update_time)
                        .links(ExternalInstanceLink.builder().pc_link("https://x").build())
                        .build() for t, s in tasks])
            .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts(texts).build()]).build())


def test_external_flow(client):
    body = (ExternalApproval.builder().approval_name("@i18n@ext").approval_code("EXT-1").group_code("G")
            .group_name("@i18n@g").external(ApprovalCreateExternal.builder().biz_name("@i18n@b").support_pc(True)
                                             .build())
            .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts(
                [I18nResourceText.builder().key(k).value(v).build()
                 for k, v in (("@i18n@ext", "Purchases"), ("@i18n@g", "ERP"), ("@i18n@b", "ERP"))]).build()])
            .build())
    created = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder()
                                                          .request_body(body).build())
    assert (created.code, created.data.approval_code) == (0, "EXT-1")
    got = client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder().approval_code("EXT-1").build())
    assert got.code == 0 and got.data.group_code == "G"

    r = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(
        ext_instance("I-1", "PENDING", 100, [("t1", "PENDING")])).build())
    assert r.code == 0, (r.msg, r.error)
    r = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(
        ext_instance("I-1", "PENDING", 200, [("t2", "PENDING")], mode="UPDATE")).build())
    assert r.code == 0 and {t.task_id for t in r.data.data.task_list} == {"t1", "t2"}

    listed = client.approval.v4.external_task.list(ListExternalTaskRequest.builder().request_body(
        ListExternalTaskRequestBody.builder().approval_codes(["EXT-1"]).build()).build())
    assert listed.code == 0, listed.msg
    assert [d.instance_id for d in listed.data.data] == ["I-1"]

    check = client.approval.v4.external_instance.check(CheckExternalInstanceRequest.builder().request_body(
        CheckExternalInstanceRequestBody.builder().instances([
            ExteranlInstanceCheck.builder().instance_id("I-1").update_time(100)
            .tasks([ExternalInstanceTask.builder().task_id("t1").update_time(100).build()]).build()]).build()).build())
    assert check.code == 0 and [d.instance_id for d in check.data.diff_instances] == ["I-1"]


def test_external_errors(client):
    missing = client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder().approval_code("NOPE").build())
    assert missing.code == 1390002
    bad = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(
        ext_instance("I-2", "WEIRD", 1, [])).build())
    assert bad.code == 1390001
