"""The documented request rules of the external instance sync (三方审批实例同步), driven through lark-oapi.

Each expected code is read off the endpoint's Feishu reference page, named in the test's docstring; 1390001 (HTTP
400) is the page's code for a parameter that is missing or out of its range.
"""

from __future__ import annotations

import pytest
from lark_oapi.api.approval.v4 import (
    ExternalInstanceForm,
    ExternalInstanceTaskNode,
)

from tests.api.contract.helpers_external import (
    PARAM_INVALID,
    answer,
    cc,
    instance,
    link,
    sync,
    task,
    texts,
)

pytestmark = pytest.mark.usefixtures("external_rules_definition")  # the approval EXT-RULES, synced once


def test_sync_without_i18n_resources_is_1390001(client):
    """i18n_resources is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(i18n_resources=True).build())) == PARAM_INVALID
    assert answer(sync(client, instance().build())) == (200, 0)


def test_sync_without_start_time_is_1390001(client):
    """start_time is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(start_time=True).build())) == PARAM_INVALID


def test_sync_without_end_time_is_1390001(client):
    """end_time is required, 0 while the instance runs.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(end_time=True).build())) == PARAM_INVALID


def test_sync_without_update_time_is_1390001(client):
    """update_time is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    body = instance().build()
    body.update_time = None
    assert answer(sync(client, body)) == PARAM_INVALID


def test_sync_takes_300_tasks_and_refuses_301(client):
    """task_list holds at most 300 tasks.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().task_list([task(n) for n in range(300)]).build())) == (200, 0)
    assert answer(sync(client, instance().task_list([task(n) for n in range(301)]).build())) == PARAM_INVALID


def test_sync_takes_200_cc_entries_and_refuses_201(client):
    """cc_list holds at most 200 entries.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().cc_list([cc(n) for n in range(200)]).build())) == (200, 0)
    assert answer(sync(client, instance().cc_list([cc(n) for n in range(201)]).build())) == PARAM_INVALID


def test_sync_task_without_end_time_is_1390001(client):
    """Each task has its end_time.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    bare = (ExternalInstanceTaskNode.builder().task_id("t").user_id("bob").status("PENDING").links(link())
            .create_time(1).build())
    assert answer(sync(client, instance().task_list([bare]).build())) == PARAM_INVALID


def test_sync_task_without_an_approver_is_1390001(client):
    """A task names its approver by user_id or open_id, at least one.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    nobody = (ExternalInstanceTaskNode.builder().task_id("t").status("PENDING").links(link()).create_time(1)
              .end_time(0).build())
    assert answer(sync(client, instance().task_list([nobody]).build())) == PARAM_INVALID


def test_sync_title_must_be_an_i18n_key(client):
    """title is an i18n key, which starts with @i18n@.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().title("Laptop").build())) == PARAM_INVALID


def test_sync_takes_times_as_the_strings_the_page_types(client):
    """start_time, end_time, update_time and task times are millisecond timestamps typed string.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    t = (ExternalInstanceTaskNode.builder().task_id("t").user_id("bob").status("PENDING").links(link())
         .create_time("1556468012678").end_time("0").update_time("1556468012678").build())
    body = instance().start_time("1556468012678").end_time("0").update_time("1556468012678").task_list([t]).build()
    assert answer(sync(client, body)) == (200, 0)


def test_sync_generate_type_is_never_an_empty_string(client):
    """generate_type is EXTERNAL_CONSIGN or DEFAULT, or left out, never an empty string.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    t = task(0)
    t.generate_type = ""
    assert answer(sync(client, instance().task_list([t]).build())) == PARAM_INVALID


def test_sync_cc_read_status_is_read_or_unread(client):
    """A cc entry's read_status is READ or UNREAD.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    c = cc(0)
    c.read_status = "SEEN"
    assert answer(sync(client, instance().cc_list([c]).build())) == PARAM_INVALID


def test_sync_locale_is_one_of_the_documented(client):
    """i18n_resources[].locale is one of the documented locales.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    resources = texts()
    resources[0].locale = "xx-XX"
    assert answer(sync(client, instance().i18n_resources(resources).build())) == PARAM_INVALID


def test_sync_is_refused_to_a_read_only_app(client_for):
    """The permission row of the sync page is approval:approval or approval:external_instance; read-only is refused.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client_for("cli_acme_ro"), instance().build())) == (400, 99991672)


def test_sync_of_an_unknown_approval_is_1390002(client):
    """An instance of an approval_code no external approval has: 1390002 "approval code not found", the code the
    definition pages give an unknown approval_code (https://open.feishu.cn/document/server-docs/approval-v4/
    approval/get)."""
    resp = sync(client, instance().approval_code("EXT-NO-SUCH").build())
    assert (resp.raw.status_code, resp.code, resp.msg) == (400, 1390002, "approval code not found")


def test_sync_form_is_at_most_2048_characters(client):
    """form may carry several entries (lists show the first 3) and is at most 2048 characters long, counted as the
    form's compact JSON. Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    def form_of(length: int) -> list[ExternalInstanceForm]:
        # [{"name":"@i18n@n","value":"@i18n@v…"}]: 37 characters around the value's padding
        pad = "v" * (length - 37)
        return [ExternalInstanceForm.builder().name("@i18n@n").value(f"@i18n@{pad}").build()]

    many = [ExternalInstanceForm.builder().name(f"@i18n@n{i}").value(f"@i18n@v{i}").build() for i in range(5)]
    assert answer(sync(client, instance().form(many).build())) == (200, 0)
    assert answer(sync(client, instance().form(form_of(2048)).build())) == (200, 0)
    assert answer(sync(client, instance().form(form_of(2049)).build())) == PARAM_INVALID
