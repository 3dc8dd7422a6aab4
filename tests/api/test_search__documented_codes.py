"""The codes Feishu's pages give for filters and users that name nothing.

- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/get (1390004)
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/query (1390002, 1390003)
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/search (1390002, 1390003)
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/search_cc (1390002, 1390003)
"""

from __future__ import annotations

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    CcSearch,
    GetInstanceRequest,
    InstanceSearch,
    QueryInstanceRequest,
    SearchCcInstanceRequest,
    SearchTaskRequest,
    TaskSearch,
)

from tests.api.helpers import create_instance


def _get(client: lark.Client, code: str, user_id: str, id_type: str = "user_id") -> int:
    req = GetInstanceRequest.builder().instance_id(code).user_id(user_id).user_id_type(id_type).build()
    return client.approval.v4.instance.get(req).code


def test_instance_get_for_a_user_nobody_has_is_1390004(client: lark.Client) -> None:
    code = create_instance(client, "AND2")
    assert _get(client, code, "nobody") == 1390004
    assert _get(client, code, "ou_nobody", "open_id") == 1390004
    assert _get(client, code, "alice") == 0
    assert _get(client, code, "ou_alice", "open_id") == 0
    assert _get(client, code, "") == 0  # clients send an empty user_id for "none"


def _query(client: lark.Client, **filters: str) -> int:
    req = QueryInstanceRequest.builder().user_id_type("user_id").request_body(InstanceSearch(filters)).build()
    return client.approval.v4.instance.query(req).code


def _tasks(client: lark.Client, **filters: str) -> int:
    req = SearchTaskRequest.builder().user_id_type("user_id").request_body(TaskSearch(filters)).build()
    return client.approval.v4.task.search(req).code


def _ccs(client: lark.Client, **filters: str) -> int:
    req = SearchCcInstanceRequest.builder().user_id_type("user_id").request_body(CcSearch(filters)).build()
    return client.approval.v4.instance.search_cc(req).code


@pytest.mark.parametrize("search", [_query, _tasks, _ccs])
def test_searches_name_an_unknown_approval_or_instance(client: lark.Client, search) -> None:  # type: ignore[no-untyped-def]
    known = create_instance(client, "AND2")
    assert search(client, approval_code="NO-SUCH-APPROVAL") == 1390002
    assert search(client, user_id="alice", approval_code="NO-SUCH-APPROVAL") == 1390002
    assert search(client, instance_code="NO-SUCH-INSTANCE") == 1390003
    assert search(client, approval_code="AND2", instance_code="NO-SUCH-INSTANCE") == 1390003
    assert search(client, approval_code="AND2", instance_code=known) == 0
    # an unknown approval or instance is told before an unknown user, whichever way the search reads
    assert search(client, user_id="nobody", approval_code="NO-SUCH-APPROVAL") == 1390002
    assert search(client, user_id="nobody", instance_code="NO-SUCH-INSTANCE") == 1390003
    assert search(client, user_id="nobody", group_external_id="NO-SUCH-GROUP", instance_code="NO-SUCH-INSTANCE") \
        == 1390003  # a group alone selects no native approval: the natives are not read
    assert search(client, user_id="nobody", approval_code="AND2") != 0
