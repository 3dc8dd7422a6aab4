"""Instance create, get, preview, search_cc, specified_rollback and add_sign, as their reference pages document
what a request means and what the answer holds. Expected codes and values are written from the pages:

- https://open.feishu.cn/document/server-docs/approval-v4/instance/create
- https://open.feishu.cn/document/server-docs/approval-v4/instance/get
- https://open.feishu.cn/document/ukTMukTMukTM/ukTM5UjL5ETO14SOxkTN/approval-preview
- https://open.feishu.cn/document/server-docs/approval-v4/instance/search_cc
- https://open.feishu.cn/document/server-docs/approval-v4/instance/specified_rollback
- https://open.feishu.cn/document/server-docs/approval-v4/task/approval-task-addsign
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    CcSearch,
    CreateInstanceRequest,
    I18nResource,
    I18nResourceText,
    InstanceCreate,
    InstanceSearch,
    PreviewInstanceRequest,
    PreviewInstanceRequestBody,
    QueryInstanceRequest,
    SearchCcInstanceRequest,
    SpecifiedRollback,
    SpecifiedRollbackInstanceRequest,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task
from tests.api.helpers_ops import add_sign, rollback
from tests.conftest import start_server
from tests.seeds import ALL, test_seed

PARAM_INVALID = 1390001
FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "laptop"}])


def create(client: Any, **fields: Any) -> Any:
    b = InstanceCreate.builder().approval_code("LEAVE").form(FORM)
    for name, value in fields.items():
        b = getattr(b, name)(value)
    return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(b.build()).build())


def test_create_takes_user_id_over_open_id(client):
    """Instance create: of user_id and open_id, user_id wins when both are given."""
    made = create(client, user_id="carol", open_id="ou_alice")
    assert made.code == 0, made.msg
    assert get_instance(client, made.data.instance_code).user_id == "carol"
    by_open_id = create(client, open_id="ou_alice")
    assert by_open_id.code == 0 and get_instance(client, by_open_id.data.instance_code).user_id == "alice"


def test_create_i18n_resources_locale_is_one_of_the_documented(client):
    """Instance create: i18n_resources[].locale takes the documented locales; another one is 1390001."""
    def resources(locale: str) -> list[I18nResource]:
        return [I18nResource.builder().locale(locale).is_default(True).texts(
            [I18nResourceText.builder().key("@i18n@t").value("Laptop").build()]).build()]

    assert create(client, user_id="alice", i18n_resources=resources("en-US")).code == 0
    assert create(client, user_id="alice", i18n_resources=resources("en_US")).code == PARAM_INVALID


def test_create_title_key_takes_its_text_from_i18n_resources(client):
    """Instance create: title is an @i18n@ key that i18n_resources gives a value; a key without one is 1390001, and
    the instance is listed under the default locale's text."""
    def resources(default: bool = True) -> list[I18nResource]:
        return [I18nResource.builder().locale("en-US").is_default(default).texts(
            [I18nResourceText.builder().key("@i18n@t").value("New laptop").build()]).build()]

    assert create(client, user_id="alice", title="@i18n@t").code == PARAM_INVALID
    assert create(client, user_id="alice", title="@i18n@x", i18n_resources=resources()).code == PARAM_INVALID
    assert create(client, user_id="alice", title="@i18n@t", i18n_resources=resources(False)).code == PARAM_INVALID
    made = create(client, user_id="alice", title="@i18n@t", i18n_resources=resources())
    assert made.code == 0, made.msg
    query = InstanceSearch.builder().approval_code("LEAVE").instance_code(made.data.instance_code).build()
    listed = client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(query).build())
    assert listed.code == 0, listed.msg
    assert [i.instance.title for i in listed.data.instance_list] == ["New laptop"]


def test_get_leaves_the_ids_of_an_automatic_approval_empty(client):
    """Instance get: a task's user_id and open_id are empty for automatic approvals. dana has no supervisor, so
    LEAVE's supervisor node finds no approver and passes by itself."""
    inst = create_instance(client, "LEAVE", user_id="dana")
    for id_type in ("user_id", "open_id"):
        automatic = [t for t in get_instance(client, inst, id_type).task_list if t.node_id and not t.user_id]
        assert automatic and all(t.open_id == "" and t.status == "APPROVED" for t in automatic)
    people = [t for t in get_instance(client, inst).task_list if t.user_id]
    assert people and all(t.open_id.startswith("ou_") for t in people)


def preview(client: Any, **fields: Any) -> Any:
    b = PreviewInstanceRequestBody.builder()
    for k, v in fields.items():
        b = getattr(b, k)(v)
    return client.approval.v4.instance.preview(PreviewInstanceRequest.builder().user_id_type("user_id")
                                               .request_body(b.build()).build())


def test_preview_marks_a_node_without_approver_as_empty_logic(client):
    """Preview: is_empty_logic true means no approver was found for the node; a node with approvers is false."""
    nobody = preview(client, approval_code="LEAVE", user_id="dana", form=FORM)
    assert nobody.code == 0, nobody.msg
    mgr = next(n for n in nobody.data.preview_nodes if n.custom_node_id == "mgr")
    assert mgr.is_empty_logic is True
    found = preview(client, approval_code="LEAVE", user_id="alice", form=FORM)
    mgr = next(n for n in found.data.preview_nodes if n.custom_node_id == "mgr")
    assert (mgr.is_empty_logic, mgr.user_id_list) == (False, ["bob"])


@pytest.fixture
def with_fay(backend: str, tmp_path: Path) -> Iterator[lark.Client]:
    """A client of a server whose seed adds fay, in both the eng and the fin department. Its app id is one the
    suite's server does not have, so that lark-oapi's token cache (by app id) keeps the two servers apart."""
    seed = test_seed()
    acme = seed["tenants"][0]
    acme["users"].append({"user_id": "fay", "name": "Fay", "department_ids": ["eng", "fin"], "leader_user_id": "bob"})
    acme["apps"].append({"app_id": "cli_fay", "app_secret": "fay", "scopes": ALL})
    srv = start_server(tmp_path, "fay", backend, seed=seed)
    yield (lark.Client.builder().app_id("cli_fay").app_secret("fay").domain(srv.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    srv.close()


def test_preview_needs_department_id_of_a_submitter_in_several_departments(with_fay):
    """Preview: department_id is needed when the submitter belongs to several departments (1390001 without it)."""
    assert preview(with_fay, approval_code="LEAVE", user_id="fay", form=FORM).code == PARAM_INVALID
    resp = preview(with_fay, approval_code="LEAVE", user_id="fay", form=FORM, department_id="fin")
    assert resp.code == 0, resp.msg
    assert preview(with_fay, approval_code="LEAVE", user_id="alice", form=FORM).code == 0


def search_cc(client: Any, **fields: Any) -> Any:
    b = CcSearch.builder()
    for k, v in fields.items():
        b = getattr(b, k)(v)
    resp = client.approval.v4.instance.search_cc(SearchCcInstanceRequest.builder().user_id_type("user_id")
                                                 .page_size(200).request_body(b.build()).build())
    assert resp.code == 0, resp.msg
    return resp


def test_search_cc_answers_times_and_approval_id_as_strings(client):
    """search_cc: approval_id (an int64 past 2^53) and the times are strings, as the page and the SDKs type them."""
    inst = create_instance(client, "CCFLOW")
    assert approve(client, "CCFLOW", inst, "bob", pending_task(client, inst, "bob")).code == 0
    entries = json.loads(search_cc(client, instance_code=inst).raw.content)["data"]["cc_list"]
    assert entries
    for e in entries:
        assert isinstance(e["approval"]["approval_id"], str) and int(e["approval"]["approval_id"]) > 2**53
        assert isinstance(e["instance"]["start_time"], str) and e["instance"]["start_time"].isdigit()
        assert isinstance(e["cc"]["create_time"], str) and e["cc"]["create_time"].isdigit()


def test_search_cc_instance_code_and_external_id_match_as_a_union(client):
    """search_cc: instance_code and instance_external_id match as a union (approval_code and group_external_id
    alike): given both, the answer holds what either names."""
    one, two = create_instance(client, "CCFLOW"), create_instance(client, "CCFLOW")
    for inst in (one, two):
        assert approve(client, "CCFLOW", inst, "bob", pending_task(client, inst, "bob")).code == 0
    both = search_cc(client, instance_code=one, instance_external_id="no-such-external-id")
    assert {c.instance.code for c in both.data.cc_list} == {one}
    native = search_cc(client, approval_code="CCFLOW", group_external_id="no-such-group")
    assert {one, two} <= {c.instance.code for c in native.data.cc_list}


@pytest.fixture
def at_second_step(client: Any) -> tuple[str, str]:
    """A TWOSTEP instance whose first node ("one") has passed: (instance code, carol's pending task)."""
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    return inst, pending_task(client, inst, "carol")


def test_specified_rollback_acts_on_a_pending_task_of_user_id(client, at_second_step):
    """specified_rollback: task_id is a PENDING task whose approver is user_id; another user is 1390009, a task
    that is no longer pending 1390010."""
    inst, task = at_second_step
    assert rollback(client, "dana", task, ["one"]).code == 1390009
    assert rollback(client, "carol", task, ["one"]).code == 0
    assert rollback(client, "carol", task, ["one"]).code == 1390010
    assert get_instance(client, inst).status == "PENDING"


def test_specified_rollback_takes_extra_as_reserved(client, at_second_step):
    """specified_rollback: extra is reserved (not yet open); a value sent in it changes nothing."""
    inst, task = at_second_step
    body = SpecifiedRollback.builder().user_id("carol").task_id(task).task_def_key_list(["one"]).extra("{}").build()
    resp = client.approval.v4.instance.specified_rollback(
        SpecifiedRollbackInstanceRequest.builder().user_id_type("user_id").request_body(body).build())
    assert resp.code == 0, resp.msg
    assert pending_task(client, inst, "bob")


def test_add_sign_approval_method_is_asked_of_types_1_and_2_only(client):
    """add_sign: approval_method is filled in for add_sign_type 1 (before) and 2 (after), not for 3 (alongside)."""
    for kind, code in ((1, PARAM_INVALID), (2, PARAM_INVALID), (3, 0)):
        inst = create_instance(client, "TWOSTEP")
        assert add_sign(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob"), ["erin"], kind).code == code


def test_add_sign_reads_its_ids_as_user_ids_without_a_user_id_type(client):
    """add_sign: the page documents no user_id_type; user_id and add_sign_user_ids are user_ids."""
    inst = create_instance(client, "TWOSTEP")
    assert add_sign(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob"), ["erin"], 3).code == 0
    assert pending_task(client, inst, "erin")
