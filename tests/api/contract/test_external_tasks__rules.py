"""The documented request rules of the external instance check and the external task list, driven through
lark-oapi.

Each expected code is read off the endpoint's Feishu reference page, named in the test's docstring; 1390001 (HTTP
400) is the page's code for a parameter that is missing or out of its range.
"""

from __future__ import annotations

import pytest
from lark_oapi.api.approval.v4 import (
    CheckExternalInstanceRequest,
    CheckExternalInstanceRequestBody,
    ExteranlInstanceCheck,
    ListExternalTaskRequest,
    ListExternalTaskRequestBody,
)

from tests.api.contract.helpers_external import (
    PARAM_INVALID,
    answer,
    list_tasks,
)

pytestmark = pytest.mark.usefixtures("external_rules_definition")  # the approval EXT-RULES, synced once


def test_check_without_instances_is_1390001(client):
    """instances is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check
    """
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().build())
    assert answer(client.approval.v4.external_instance.check(req.build())) == PARAM_INVALID


def test_check_instance_without_tasks_is_1390001(client):
    """Each instance checked carries its tasks.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check
    """
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().instances(
        [ExteranlInstanceCheck.builder().instance_id("i-1").update_time(1).build()]).build()).build()
    assert answer(client.approval.v4.external_instance.check(req)) == PARAM_INVALID


def test_task_list_takes_20_approval_codes_and_refuses_21(client):
    """approval_codes holds at most 20 codes.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    codes = [f"EXT-{n}" for n in range(21)]
    assert answer(list_tasks(client, approval_codes=codes[:20])) == (200, 0)
    assert answer(list_tasks(client, approval_codes=codes)) == PARAM_INVALID


def test_task_list_refuses_21_instance_ids(client):
    """instance_ids holds at most 20 ids.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    ids = [f"i-{n}" for n in range(21)]
    assert answer(list_tasks(client, instance_ids=ids[:20])) == (200, 0)
    assert answer(list_tasks(client, instance_ids=ids)) == PARAM_INVALID


def test_task_list_page_size_is_at_most_500(client):
    """page_size is at most 500.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    assert answer(list_tasks(client, page_size=500, approval_codes=["EXT-1"])) == (200, 0)
    assert answer(list_tasks(client, page_size=501, approval_codes=["EXT-1"])) == PARAM_INVALID


def test_task_list_status_is_an_enum(client):
    """status is PENDING, APPROVED, REJECTED, TRANSFERRED or DONE.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    req = ListExternalTaskRequest.builder().request_body(ListExternalTaskRequestBody.builder()
                                                         .approval_codes(["EXT-RULES"]).status("WAITING").build())
    assert answer(client.approval.v4.external_task.list(req.build())) == PARAM_INVALID


def test_check_and_task_list_take_a_read_only_app(client_for):
    """The check and task list pages' permission rows include approval:approval:readonly.

    Pages: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check and
    https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    readonly = client_for("cli_acme_ro")
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().instances(
        [ExteranlInstanceCheck.builder().instance_id("i-ro").update_time(1).tasks([]).build()]).build()).build()
    assert answer(readonly.approval.v4.external_instance.check(req)) == (200, 0)
    assert answer(list_tasks(readonly, approval_codes=["EXT-RULES"])) == (200, 0)
