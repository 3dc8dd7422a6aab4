"""Definition create, as its reference page documents the request: viewers required and at most 200, the
viewer_type and locale enums, icon 0..24, at most 200 process managers; a second create with the same approval_code
replaces the definition; each app holds its own subscriptions. Each limit is probed on both sides: the
value at the limit is accepted, one past it answers 1390001 (param is invalid).

Page: https://open.feishu.cn/document/server-docs/approval-v4/approval/create
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalApproverCcer,
    ApprovalConfig,
    ApprovalCreate,
    ApprovalCreateViewers,
    ApprovalForm,
    ApprovalNode,
    CreateApprovalRequest,
    CreateInstanceRequest,
    GetApprovalRequest,
    I18nResource,
    I18nResourceText,
    InstanceCreate,
    NodeApprover,
    SubscribeApprovalRequest,
    UnsubscribeApprovalRequest,
)

from tests.api.helpers import create_instance, get_instance

PARAM_INVALID = 1390001


def viewer(kind: str = "TENANT") -> ApprovalCreateViewers:
    return ApprovalCreateViewers.builder().viewer_type(kind).build()


def texts(locale: str = "zh-CN") -> I18nResource:
    return I18nResource.builder().locale(locale).is_default(True).texts([
        I18nResourceText.builder().key("@i18n@laptop").value("Laptop").build(),
        I18nResourceText.builder().key("@i18n@reason").value("Reason").build(),
        I18nResourceText.builder().key("@i18n@mgr").value("Manager").build()]).build()


def create(client: Any, **fields: Any) -> Any:
    """A definition the page accepts, with ``fields`` set over it (``None`` leaves a field out)."""
    body: dict[str, Any] = {
        "approval_name": "@i18n@laptop",
        "viewers": [viewer()],
        "form": ApprovalForm.builder().form_content(json.dumps(
            [{"id": "reason", "type": "input", "name": "@i18n@reason", "required": True}])).build(),
        "node_list": [ApprovalNode.builder().id("START").build(),
                      ApprovalNode.builder().id("mgr").name("@i18n@mgr").node_type("AND").approver(
                          [ApprovalApproverCcer.builder().type("Supervisor").level("1").build()]).build(),
                      ApprovalNode.builder().id("END").build()],
        "i18n_resources": [texts()],
        **fields,
    }
    b = ApprovalCreate.builder()
    for name, value in body.items():
        if value is not None:
            b = getattr(b, name)(value)
    req = CreateApprovalRequest.builder().user_id_type("open_id").request_body(b.build()).build()
    return client.approval.v4.approval.create(req)


def test_a_definition_the_page_accepts_is_created(client):
    resp = create(client)
    assert resp.code == 0, (resp.msg, resp.error)


def test_viewers_are_required(client):
    assert create(client, viewers=None).code == PARAM_INVALID


def test_viewers_hold_at_most_200(client):
    assert create(client, viewers=[viewer()] * 200).code == 0
    assert create(client, viewers=[viewer()] * 201).code == PARAM_INVALID


@pytest.mark.parametrize("kind", ["TENANT", "NONE"])
def test_viewer_type_takes_the_documented_values(client, kind):
    assert create(client, viewers=[viewer(kind)]).code == 0


@pytest.mark.parametrize("kind", ["EVERYONE", "tenant", "ROLE"])
def test_viewer_type_outside_the_enum_is_1390001(client, kind):
    assert create(client, viewers=[viewer(kind)]).code == PARAM_INVALID


def test_process_manager_ids_hold_at_most_200(client):
    assert create(client, process_manager_ids=["ou_alice"] * 200).code == 0
    assert create(client, process_manager_ids=["ou_alice"] * 201).code == PARAM_INVALID


@pytest.mark.parametrize(("icon", "code"), [(0, 0), (24, 0), (25, PARAM_INVALID), (-1, PARAM_INVALID)])
def test_icon_is_0_to_24(client, icon, code):
    assert create(client, icon=icon).code == code


@pytest.mark.parametrize("locale", ["zh-CN", "en-US", "ja-JP"])
def test_locales_the_page_lists_are_accepted(client, locale):
    assert create(client, i18n_resources=[texts(locale)]).code == 0


@pytest.mark.parametrize("locale", ["zh_CN", "xx-XX", "english"])
def test_a_locale_outside_the_enum_is_1390001(client, locale):
    assert create(client, i18n_resources=[texts(locale)]).code == PARAM_INVALID


# Definition get. Page: https://open.feishu.cn/document/server-docs/approval-v4/approval/get


def get(client: Any, code: str = "LEAVE", **params: Any) -> Any:
    b = GetApprovalRequest.builder().approval_code(code)
    for name, value in params.items():
        b = getattr(b, name)(value)
    return client.approval.v4.approval.get(b.build())


def test_get_with_a_locale_outside_the_enum_is_1390001(client):
    assert get(client, locale="en-US").code == 0
    assert get(client, locale="xx-XX").code == PARAM_INVALID


def test_get_returns_the_admin_ids_only_when_asked(client):
    plain = get(client)
    assert plain.code == 0 and plain.data.approval_admin_ids is None
    asked = get(client, with_admin_id=True)
    assert asked.code == 0 and isinstance(asked.data.approval_admin_ids, list)


def node(node_id: str = "mgr", node_type: str = "AND", name: str = "@i18n@mgr", **approver: str) -> ApprovalNode:
    who = approver or {"type": "Supervisor", "level": "1"}
    a = ApprovalApproverCcer.builder()
    for k, v in who.items():
        a = getattr(a, k)(v)
    return ApprovalNode.builder().id(node_id).name(name).node_type(node_type).approver([a.build()]).build()


def flow(*nodes: ApprovalNode) -> list[ApprovalNode]:
    return [ApprovalNode.builder().id("START").build(), *nodes, ApprovalNode.builder().id("END").build()]


@pytest.mark.parametrize("name", ["Laptop", "@i18n@la", "@I18N@laptop"])
def test_approval_name_is_an_i18n_key_of_at_least_9_characters(client, name):
    assert create(client, approval_name=name).code == PARAM_INVALID


def test_a_node_name_is_an_i18n_key(client):
    assert create(client, node_list=flow(node(name="Manager"))).code == PARAM_INVALID


def test_a_cc_cannot_be_chosen_by_the_submitter(client):
    ccer = ApprovalApproverCcer.builder().type("Free").build()
    with_free_cc = ApprovalNode.builder().id("mgr").name("@i18n@mgr").node_type("AND").approver(
        [ApprovalApproverCcer.builder().type("Supervisor").level("1").build()]).ccer([ccer]).build()
    assert create(client, node_list=flow(with_free_cc)).code == PARAM_INVALID


def test_config_carries_its_four_switches(client):
    partial = ApprovalConfig.builder().can_update_viewer(False).can_update_form(False).can_update_process(False)
    assert create(client, config=partial.build()).code == PARAM_INVALID
    assert create(client, config=partial.can_update_revert(False).build()).code == 0


@pytest.mark.parametrize("approver", [{"type": "Supervisor"}, {"type": "Personal"}])
def test_an_approver_names_its_level_or_user(client, approver):
    assert create(client, node_list=flow(node(**approver))).code == PARAM_INVALID


def test_a_sequential_node_takes_approvers_the_submitter_chooses(client):
    assert create(client, node_list=flow(node(node_type="SEQUENTIAL", type="Free"))).code == 0
    assert create(client, node_list=flow(node(node_type="SEQUENTIAL"))).code == PARAM_INVALID


def test_the_flow_starts_at_start_and_ends_at_end(client):
    assert create(client, node_list=[node()]).code == PARAM_INVALID


def test_a_user_viewer_names_the_user(client):
    """A USER viewer needs viewer_user_id, a DEPARTMENT viewer viewer_department_id; each left out is 1390001.
    Page: https://open.feishu.cn/document/server-docs/approval-v4/approval/create"""
    refused = create(client, viewers=[viewer("USER")])
    assert (refused.code, refused.raw.status_code) == (PARAM_INVALID, 400), refused.msg
    assert refused.error["field_violations"][0]["field"] == "viewers[0].viewer_user_id", refused.error
    assert create(client, viewers=[viewer("DEPARTMENT")]).code == PARAM_INVALID
    named = [ApprovalCreateViewers.builder().viewer_type("USER").viewer_user_id("ou_alice").build(),
             ApprovalCreateViewers.builder().viewer_type("DEPARTMENT").viewer_department_id("fin").build()]
    assert create(client, viewers=named).code == 0


def test_the_default_language_carries_every_key(client):
    short = I18nResource.builder().locale("zh-CN").is_default(True).texts([
        I18nResourceText.builder().key("@i18n@laptop").value("Laptop").build()]).build()
    assert create(client, i18n_resources=[short]).code == PARAM_INVALID


def test_get_form_widgets_carry_their_default_value_fields(client):
    widgets = json.loads(get(client).data.form)
    assert widgets
    for w in widgets:
        assert isinstance(w.get("enable_default_value"), bool), w
        assert isinstance(w.get("widget_default_value"), str), w
        assert isinstance(w.get("default_value_type"), str), w


def test_create_with_an_approval_code_replaces_that_definition_whole(client):
    """Given approval_code, the call replaces that definition: its form and its process are the new ones."""
    made = create(client)
    assert made.code == 0, made.msg
    code = made.data.approval_code
    form = ApprovalForm.builder().form_content(json.dumps(
        [{"id": "why", "type": "textarea", "name": "@i18n@reason", "required": True}])).build()
    again = create(client, approval_code=code, form=form, node_list=flow(node("lead", level="2", type="Supervisor")))
    assert (again.code, again.data.approval_code) == (0, code)
    got = get(client, code)
    assert [w["id"] for w in json.loads(got.data.form)] == ["why"]
    assert [n.custom_node_id for n in got.data.node_list] == ["lead"]


def test_an_instance_takes_the_chosen_approvers_of_both_id_lists(client):
    """Instance create: a node's approvers are the union of node_approver_user_id_list and
    node_approver_open_id_list. Page: https://open.feishu.cn/document/server-docs/approval-v4/instance/create"""
    made = create(client, node_list=flow(node("pick", type="Free")))
    assert made.code == 0, made.msg
    carol = get_instance(client, create_instance(client, user_id="carol"), "open_id").open_id
    body = (InstanceCreate.builder().approval_code(made.data.approval_code).user_id("alice")
            .form(json.dumps([{"id": "reason", "type": "input", "value": "x"}]))
            .node_approver_user_id_list([NodeApprover.builder().key("pick").value(["bob"]).build()])
            .node_approver_open_id_list([NodeApprover.builder().key("pick").value([carol]).build()]).build())
    resp = client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body).build())
    assert resp.code == 0, resp.msg
    assert sorted(t.user_id for t in get_instance(client, resp.data.instance_code).task_list) == ["bob", "carol"]


# Subscriptions. Pages: https://open.feishu.cn/document/server-docs/approval-v4/approval/subscribe and
# .../approval/unsubscribe


def test_each_app_holds_its_own_subscription_to_a_definition(client, client_for):
    """Subscriptions belong to the calling app: a second app subscribes to a definition the first already has,
    and each unsubscribes its own."""
    other = client_for("cli_acme_full")

    def subscribe(c: Any) -> int:
        return int(c.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("EXPENSE")
                                                    .build()).code)

    def unsubscribe(c: Any) -> int:
        return int(c.approval.v4.approval.unsubscribe(UnsubscribeApprovalRequest.builder().approval_code("EXPENSE")
                                                      .build()).code)

    assert (subscribe(client), subscribe(other)) == (0, 0)
    assert subscribe(client) == 1390007  # the same app twice
    assert (unsubscribe(other), unsubscribe(other)) == (0, 1390007)
    assert unsubscribe(client) == 0
