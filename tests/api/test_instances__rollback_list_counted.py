"""specified_rollback's ``task_def_key_list`` holds 1 to 100 entries, counted as sent (repeats count).

https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/specified_rollback
"""

from __future__ import annotations

import lark_oapi as lark

from tests.api.helpers import approve, create_instance, get_instance, pending_task
from tests.api.helpers_ops import rollback


def test_a_list_of_101_entries_is_refused_even_with_repeats(client: lark.Client) -> None:
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    task = pending_task(client, inst, "carol")
    too_many = rollback(client, "carol", task, ["one"] * 101)
    assert too_many.code == 1390001
    assert too_many.error["field_violations"][0]["field"] == "task_def_key_list"
    assert rollback(client, "carol", task, ["one"] * 100).code == 0
    assert any(t.user_id == "bob" and t.status == "PENDING" for t in get_instance(client, inst).task_list)
