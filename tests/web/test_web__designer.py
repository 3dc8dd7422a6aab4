"""The visual designer, server side: a definition built field by field and step by step is published through
the definition service (the SDK reads it back, branches decide), with messages next to the fields concerned,
a version history, and an export that imports back to the same definition."""

from __future__ import annotations

import json

import yaml
from lark_oapi.api.approval.v4 import GetApprovalRequest

from tests.web.designer_form import Designer
from tests.web.instances import create, get


def _sdk_definition(sdk, code: str, locale: str = "en-US"):
    resp = sdk.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).locale(locale).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return resp.data


def _expense(dana) -> Designer:
    """An expense approval: reason, amount, a supervisor's approval, and a CFO case for 10000 and more."""
    d = Designer(dana)
    d.press("add-field", new_field_type="amount")
    d.press("add-step", name_zh="报销", name_en="Expense claim", f0__name_en="Reason",
            f1__name_zh="金额", f1__name_en="Amount", f1__required=True, f1__currency="USD")
    d.press("add-branch")
    d.press("add-branch-step:p2.b0", p1__name_zh="财务审批", p1__name_en="Finance", p1__who="Personal",
            p1__users=["carol"], p1__kind="OR",
            p2__b0__widget="amount_1", p2__b0__op=">=", p2__b0__value="10000", p2__b0__name_en="Large")
    d.press("preview", p2__b0__s0__name_en="CFO", p2__b0__s0__name_zh="首席财务官", p2__b0__s0__who="Personal",
            p2__b0__s0__users=["dana"])
    return d


def test_a_designed_approval_is_what_the_sdk_reads_and_its_branch_decides(browser, sdk):
    d = _expense(browser("dana"))
    assert d.status == 200 and d.errors() == {}
    assert "Amount ≥ 10000" in d.html  # the diagram draws the case
    d.press("publish")
    assert d.status == 303, d.errors()
    code = d.location.split("/admin/definitions/")[1].split("?")[0]

    got = _sdk_definition(sdk, code)
    assert got.approval_name == "Expense claim"
    form = json.loads(got.form)
    assert [(w["id"], w["type"], w["name"], w["required"]) for w in form] == [
        ("reason", "textarea", "Reason", True), ("amount_1", "amount", "Amount", True)]
    assert [n.name for n in got.node_list] == ["Supervisor approval", "Finance", "CFO"]
    assert [n.node_type for n in got.node_list] == ["AND", "OR", "AND"]
    assert _sdk_definition(sdk, code, "zh-CN").approval_name == "报销"

    big = create(sdk, approval_code=code, form=[{"id": "reason", "type": "textarea", "value": "servers"},
                                                {"id": "amount_1", "type": "amount", "value": 25000}])
    small = create(sdk, approval_code=code, form=[{"id": "reason", "type": "textarea", "value": "taxi"},
                                                  {"id": "amount_1", "type": "amount", "value": 80}])
    # Both wait for the supervisor first; the instance page shows which way each one goes after that.
    assert {t.node_name for t in get(sdk, big).task_list} == {"直属主管审批"}
    assert {t.node_name for t in get(sdk, small).task_list} == {"直属主管审批"}
    dana = browser("dana")
    big_page = dana.page(f"/instances/{big}?lang=en")
    assert "CFO" in big_page and "branch not taken" not in big_page
    small_page = dana.page(f"/instances/{small}?lang=en")
    assert "branch not taken" in small_page and "CFO" in small_page


def test_the_designer_reopens_what_it_published(browser):
    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    again = Designer(dana, code)
    assert again.field("f1.currency") == ["USD"]
    assert again.field("p2.b0.widget") == ["amount_1"] and again.field("p2.b0.value") == ["10000"]
    assert again.field("p2.b0.s0.users") == ["dana"] and again.field("p2.b1.default") == ["1"]
    assert again.field("p1.users") == ["carol"]
    assert Designer(dana, "LEAVE").field("revert_days") == ["31"]  # the engine's default window, not "never"


def test_mistakes_are_said_next_to_their_field(browser):
    d = Designer(browser("dana"))
    d.press("add-field", new_field_type="radioV2")
    d.press("add-branch", f0__name_zh="", f0__name_en="", f1__options="")
    d.press("publish", p1__b0__widget="reason", p0__who="Personal", p0__users=None)
    assert d.status == 400
    errors = d.errors()
    assert errors["f0-name_zh"] == "Give the field a name."
    assert errors["f1-options"] == "Add at least one option, one a line."
    assert errors["p1-b0-widget"] == "Choose a number, amount or single-choice field of the form."
    assert errors["p0-users"] == "Choose at least one person."
    assert 'aria-describedby="err-f0-name_zh"' in d.html and 'aria-invalid="true"' in d.html


def test_moving_and_removing_fields(browser):
    d = Designer(browser("dana"))
    for kind in ("number", "date", "fieldList"):
        d.press("add-field", new_field_type=kind)
    assert d.field("f1.type") == ["number"] and d.field("f3.type") == ["fieldList"]
    d.press("up:f2")
    assert [d.field(f"f{i}.type")[0] for i in range(4)] == ["textarea", "date", "number", "fieldList"]
    d.press("down:f0")
    assert [d.field(f"f{i}.type")[0] for i in range(4)] == ["date", "textarea", "number", "fieldList"]
    d.press("add-column:f3")
    assert d.field("f3.ccount") == ["2"]
    d.press("remove:f0")
    assert [d.field(f"f{i}.type")[0] for i in range(3)] == ["textarea", "number", "fieldList"]


def test_every_version_stays_readable(browser, sdk):
    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    d2 = Designer(dana, code)
    d2.press("publish", name_en="Expense claim (2025)")
    assert d2.status == 303
    detail = dana.page(f"/admin/definitions/{code}?lang=en")
    assert f'href="/admin/definitions/{code}/versions/1"' in detail and "Version 2" in detail
    assert detail.count("Admin · dana") == 2
    v1 = dana.page(f"/admin/definitions/{code}/versions/1?lang=en")
    assert "Expense claim" in v1 and "(2025)" not in v1
    assert _sdk_definition(sdk, code).approval_name == "Expense claim (2025)"
    assert dana.get(f"/admin/definitions/{code}/versions/9").status_code == 404
    stale = Designer(dana, code)
    d2b = Designer(dana, code)
    d2b.press("publish", name_en="Third")
    stale.press("publish", name_en="Lost update")
    assert stale.status == 409 and "Version 3 was published while you edited" in stale.html


def test_export_imports_back_to_the_same_definition(browser, sdk):
    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    exported = dana.get(f"/admin/definitions/{code}/export?format=yaml")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    body = yaml.safe_load(exported.text)
    assert body["approval_code"] == code and any("shenpi_branch" in n for n in body["node_list"])
    before = _sdk_definition(sdk, code)
    r = dana.post(f"/admin/definitions/{code}", {"format": "yaml", "body": exported.text, "do": "save"})
    assert r.status_code == 303
    after = _sdk_definition(sdk, code)
    assert (after.approval_name, after.form, [n.name for n in after.node_list]) == (
        before.approval_name, before.form, [n.name for n in before.node_list])
    as_json = dana.get(f"/admin/definitions/{code}/export?format=json&version=1")
    assert json.loads(as_json.text)["node_list"] == body["node_list"]
    reopened = Designer(dana, code)
    assert reopened.field("p2.b0.value") == ["10000"]


def test_the_designer_labels_have_chinese():
    from shenpi.web import designer_model as dm
    from shenpi.web import i18n
    from shenpi.web.process import EMPTY_WORDS, OP_WORDS
    from shenpi.web.views.admin import SOURCES

    tables = (dm.FIELD_TYPE_LABELS, dm.STEP_KIND_LABELS, dm.WHO_LABELS, dm.EMPTY_LABELS, dm.STARTER_LABELS,
              dm.VIEWER_LABELS, OP_WORDS, EMPTY_WORDS, SOURCES)
    missing = sorted(v for table in tables for v in table.values() if v not in i18n.ZH)
    assert missing == []


def test_a_running_request_keeps_the_version_it_started_on(browser, sdk):
    from tests.web.instances import act

    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    form = [{"id": "reason", "type": "textarea", "value": "train"}, {"id": "amount_1", "type": "amount", "value": 90}]
    running = create(sdk, approval_code=code, form=form)
    v2 = Designer(dana, code)
    v2.press("remove:p1")  # version 2 drops the finance step
    v2.press("publish")
    assert v2.status == 303
    assert [n.name for n in _sdk_definition(sdk, code).node_list] == ["Supervisor approval", "CFO"]
    assert act(browser("bob"), running, "approve").status_code == 303
    pending = [(t.node_name, t.user_id) for t in get(sdk, running).task_list if t.status == "PENDING"]
    assert pending == [("财务审批", "carol")]  # version 1's second step
    fresh = create(sdk, approval_code=code, form=form)
    assert act(browser("bob"), fresh, "approve").status_code == 303
    assert get(sdk, fresh).status == "APPROVED"  # version 2: no finance step, and 90 skips the CFO


def test_a_widget_the_designer_does_not_build_is_kept(browser, sdk):
    dana = browser("dana")
    body = {"approval_name": "Overtime", "form": {"form_content": json.dumps([
        {"id": "hours", "type": "number", "name": "Hours", "required": True},
        {"id": "pay", "type": "formula", "name": "Pay", "expression": "hours*2"}])},
        "node_list": [{"id": "START"}, {"id": "mgr", "name": "Manager", "node_type": "AND",
                                        "approver": [{"type": "Supervisor", "level": "1"}]}, {"id": "END"}]}
    r = dana.post("/admin/definitions/new", {"format": "json", "body": json.dumps(body), "do": "save"})
    assert r.status_code == 303
    code = r.headers["location"].split("/admin/definitions/")[1].split("?")[0]
    d = Designer(dana, code)
    assert d.field("f1.type") == ["formula"] and "kept as it is" in d.html
    d.press("up:f1")
    d.press("publish")
    assert d.status == 303, d.errors()
    form = json.loads(_sdk_definition(sdk, code).form)
    assert [(w["id"], w["type"]) for w in form] == [("pay", "formula"), ("hours", "number")]
    assert form[0]["expression"] == "hours*2"


def test_a_branch_on_a_choice_is_written_with_the_options_text(browser, sdk):
    d = Designer(browser("dana"))
    d.press("add-field", new_field_type="radioV2")
    d.press("add-branch", f1__name_en="Class", f1__required=True, f1__options="经济舱 | Economy\n商务舱 | Business")
    d.press("add-branch-step:p1.b0", p1__b0__widget="radio_1", p1__b0__op="==", p1__b0__value="Sky")
    d.press("publish", p1__b0__s0__who="Supervisor")
    assert d.status == 400
    assert d.errors()["p1-b0-value"] == "Enter one of the field's options: 经济舱 / Economy, 商务舱 / Business."
    d.press("publish", p1__b0__value="Business", name_en="Flights")
    assert d.status == 303, d.errors()
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    business = create(sdk, approval_code=code, form=[{"id": "reason", "type": "textarea", "value": "trip"},
                                                     {"id": "radio_1", "type": "radioV2", "value": "商务舱"}])
    economy = create(sdk, approval_code=code, form=[{"id": "reason", "type": "textarea", "value": "trip"},
                                                    {"id": "radio_1", "type": "radioV2", "value": "经济舱"}])
    dana = browser("dana")
    assert "branch not taken" not in dana.page(f"/instances/{business}?lang=en")
    assert "branch not taken" in dana.page(f"/instances/{economy}?lang=en")


def test_approvers_of_several_kinds_are_kept_unless_replaced(browser, sdk):
    dana = browser("dana")
    body = {"approval_name": "Purchase", "form": {"form_content": json.dumps([
        {"id": "item", "type": "input", "name": "Item", "required": True}])},
        "node_list": [{"id": "START"}, {"id": "both", "name": "Lead and finance", "node_type": "AND",
                       "approver": [{"type": "Supervisor", "level": "1"}, {"type": "Personal", "user_id": "carol"}]},
                      {"id": "END"}]}
    r = dana.post("/admin/definitions/new", {"format": "json", "body": json.dumps(body), "do": "save"})
    code = r.headers["location"].split("/admin/definitions/")[1].split("?")[0]
    d = Designer(dana, code)
    assert d.field("p0.keep_approvers") == ["1"] and "Supervisor (1), Personal carol" in d.html
    d.press("publish", name_en="Purchase (2)")
    assert d.status == 303, d.errors()
    kept = create(sdk, approval_code=code, form=[{"id": "item", "type": "input", "value": "desk"}])
    assert {t.user_id for t in get(sdk, kept).task_list} == {"bob", "carol"}
    d = Designer(dana, code)
    d.press("publish", p0__keep_approvers=None, p0__who="Personal", p0__users=["erin"])
    assert d.status == 303, d.errors()
    replaced = create(sdk, approval_code=code, form=[{"id": "item", "type": "input", "value": "chair"}])
    assert {t.user_id for t in get(sdk, replaced).task_list} == {"erin"}


def test_an_export_with_a_branch_is_a_valid_seed_definition(browser):
    from shenpi.seed.check import check_seed
    from tests.web.seed import web_seed

    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    exported = yaml.safe_load(dana.get(f"/admin/definitions/{code}/export?format=yaml").text)
    seed = web_seed()
    seed["tenants"][0]["approvals"].append(exported)
    assert check_seed(seed) == []


def test_an_exported_file_imports_as_a_new_definition(browser, sdk):
    dana = browser("dana")
    d = _expense(dana)
    d.press("publish")
    code = d.location.split("/admin/definitions/")[1].split("?")[0]
    exported = dana.get(f"/admin/definitions/{code}/export?format=json")
    r = dana.post("/admin/definitions/new", {"format": "yaml", "body": "", "do": "save"},
                  files={"file": (f"{code}-v1.json", exported.content, "application/json")})
    assert r.status_code == 303, r.text[:300]
    copy = r.headers["location"].split("/admin/definitions/")[1].split("?")[0]
    assert copy != code
    a, b = _sdk_definition(sdk, code), _sdk_definition(sdk, copy)
    assert (a.approval_name, a.form, [n.name for n in a.node_list]) == (
        b.approval_name, b.form, [n.name for n in b.node_list])
    assert Designer(dana, copy).field("p2.b0.value") == ["10000"]  # the branch came along
