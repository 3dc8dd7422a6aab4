"""An HR/finance admin builds an expense approval in the visual designer — five field types, a two-step process
and an amount branch — only by labelled controls, and publishes it; a submitter's request from the web start form
follows the branch; the SDK's ``approvals/:code`` answer is the design. Screenshots of each designer page go to
the ``screenshots`` fixture's folder (``SHENPI_SCREENSHOTS``, or a temporary one), never into the tree."""

from __future__ import annotations

import json
import re
from typing import Any

from lark_oapi.api.approval.v4 import GetApprovalRequest

from tests.e2e.test_e2e__reject_with_comment import sign_in
from tests.web.helpers import WebClient
from tests.web.instances import act, get


def group(page: Any, name: str) -> Any:
    return page.get_by_role("group", name=re.compile("^" + re.escape(name)))


def add_field(page: Any, kind: str, number: int, name_zh: str, name_en: str, *, required: bool = True) -> Any:
    page.get_by_label("New field type").select_option(label=kind)
    page.get_by_role("button", name="Add field").click()
    box = group(page, f"Field {number}: {kind}")
    box.get_by_label("Field name (Chinese)").fill(name_zh)
    box.get_by_label("Field name (English)").fill(name_en)
    if required:
        box.get_by_label("Required").check()
    return box


def test_an_admin_designs_an_expense_approval_and_a_request_follows_its_branch(new_page, e2e_server, e2e_sdk,
                                                                            screenshots):
    admin = new_page(width=1280, height=800)
    sign_in(admin, "dana", "dana-pw")
    admin.get_by_role("link", name="Admin").click()
    admin.get_by_role("link", name="New approval").click()
    admin.wait_for_url("**/admin/definitions/new/design")

    basics = admin.get_by_role("region", name="Basics")
    basics.get_by_label("Approval name (Chinese)").fill("差旅报销")
    basics.get_by_label("Approval name (English)").fill("Travel expense")

    # The form: the reason the page starts with, then an amount, a date, a choice and a number.
    add_field(admin, "Amount", 2, "金额", "Amount").get_by_label("Currency").select_option("CNY")
    add_field(admin, "Date", 3, "出发日期", "Departure")
    choice = add_field(admin, "Single choice", 4, "交通方式", "Transport")
    choice.get_by_label("Options, one a line (Chinese | English)").fill("火车 | Train\n飞机 | Plane")
    add_field(admin, "Number", 5, "天数", "Days", required=False)
    # Keyboard: the date moves below the choice with the focused "Move down" button.
    group(admin, "Field 3: Date").get_by_role("button", name="Move Field 3 down").focus()
    admin.keyboard.press("Enter")
    admin.wait_for_load_state()
    assert group(admin, "Field 4: Date").get_by_label("Field name (English)").input_value() == "Departure"
    # The keyboard is still on the moved field's "Move down" button, now of field 4.
    assert admin.evaluate("document.activeElement.getAttribute('aria-label')") == "Move Field 4 down"
    assert group(admin, "Field 3: Single choice").get_by_label("Field name (English)").input_value() == "Transport"

    # The process: the supervisor (already there), then finance, then a branch: 10000 and more go to the CFO.
    admin.get_by_role("button", name="Add approval step").click()
    finance = group(admin, "Step 2")
    finance.get_by_label("Step name (Chinese)").fill("财务审批")
    finance.get_by_label("Step name (English)").fill("Finance")
    finance.get_by_label("How they decide").select_option(label="Any one approves")
    finance.get_by_label("Who approves").select_option(label="Named people")
    finance.get_by_label("People").select_option("carol")
    admin.get_by_role("button", name="Add branch").click()
    case = group(admin, "Branch 3 · Case 1")
    case.get_by_label("Case name (English)").fill("Large amounts")
    case.get_by_label("When field").select_option(label="Amount")
    case.get_by_label("Comparison").select_option(label="≥")
    case.get_by_label("Value").fill("10000")
    admin.get_by_role("button", name="Add approval step to Case 1").click()
    cfo = group(admin, "Case 1 · Step 1")
    cfo.get_by_label("Step name (Chinese)").fill("首席财务官审批")
    cfo.get_by_label("Step name (English)").fill("CFO")
    cfo.get_by_label("Who approves").select_option(label="Named people")
    cfo.get_by_label("People").select_option("dana")
    # The live preview catches up with the typing: the diagram shows the case and the preview the choice.
    preview = admin.get_by_role("complementary", name="Preview")
    diagram = preview.get_by_role("list", name="Process diagram")
    diagram.get_by_text("CFO", exact=True).wait_for()
    assert diagram.get_by_text("Amount ≥ 10000").is_visible() and diagram.get_by_text("Otherwise").is_visible()
    assert preview.get_by_role("group", name="Transport").get_by_label("Plane").is_visible()
    # Nothing overflows the laptop screen sideways.
    assert admin.evaluate("document.documentElement.scrollWidth") <= 1280
    admin.screenshot(path=str(screenshots / "designer.png"), full_page=True)
    group(admin, "Branch 3 · Case 1").scroll_into_view_if_needed()
    admin.screenshot(path=str(screenshots / "designer-laptop.png"))  # what a 1280x800 screen shows

    # A mistake is said next to its field, and publishing waits for it.
    finance.get_by_label("Step name (Chinese)").fill("")
    finance.get_by_label("Step name (English)").fill("")
    admin.get_by_role("button", name="Publish new version").click()
    step2 = group(admin, "Step 2")
    assert step2.get_by_text("Give the step a name.").is_visible()
    assert step2.get_by_label("Step name (Chinese)").get_attribute("aria-invalid") == "true"
    assert admin.evaluate("document.activeElement.id") == "d-p1-name_zh"  # the keyboard is at the mistake
    admin.screenshot(path=str(screenshots / "designer-error.png"), full_page=True)
    step2.get_by_label("Step name (English)").fill("Finance")
    step2.get_by_label("Step name (Chinese)").fill("财务审批")
    admin.get_by_role("button", name="Publish new version").click()
    admin.wait_for_url(re.compile(r"/admin/definitions/[0-9A-F-]+\?ok=1"))
    code = re.search(r"/admin/definitions/([0-9A-F-]+)", admin.url).group(1)
    assert admin.get_by_role("list", name="Process diagram").get_by_text("CFO").is_visible()
    admin.screenshot(path=str(screenshots / "definition.png"), full_page=True)

    # The SDK reads exactly the design.
    resp = e2e_sdk.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).locale("en-US").build())
    assert resp.code == 0, resp.msg
    assert resp.data.approval_name == "Travel expense"
    form = json.loads(resp.data.form)
    assert [(w["type"], w["name"], w["required"]) for w in form] == [
        ("textarea", "Reason", True), ("amount", "Amount", True), ("radioV2", "Transport", True),
        ("date", "Departure", True), ("number", "Days", False)]
    assert [o["text"] for o in form[2]["option"]] == ["Train", "Plane"]
    assert [(n.name, n.node_type) for n in resp.data.node_list] == [
        ("Supervisor approval", "AND"), ("Finance", "OR"), ("CFO", "AND")]

    # Alice asks for 12000 from the web start form; Bob and Carol approve; it reaches the CFO.
    alice = new_page(width=1280, height=800)
    sign_in(alice, "alice", "alice-pw")
    alice.get_by_role("link", name="Start a request").click()
    alice.get_by_role("link", name=re.compile("^Travel expense")).click()
    alice.get_by_label("Reason").fill("Customer visit in Shenzhen")
    alice.get_by_label("Amount").fill("12000")
    alice.get_by_label("Plane").check()
    alice.get_by_label("Departure").fill("2025-07-01")
    alice.get_by_role("button", name="Submit").click()
    alice.wait_for_url(re.compile(r"/instances/[0-9A-F-]+\?ok=created"))
    big = re.search(r"/instances/([0-9A-F-]+)", alice.url).group(1)
    flow = alice.get_by_role("region", name="Process")
    assert flow.get_by_text("CFO").is_visible() and flow.get_by_text("branch not taken").count() == 0
    # The whole diagram fits a 1280 px screen: no step is cut off at either side, nothing scrolls sideways.
    region = flow.bounding_box()
    assert region is not None
    for name in ("Start", "Supervisor approval", "Finance", "CFO", "End"):
        box = flow.get_by_text(name, exact=True).first.bounding_box()
        assert box is not None and box["x"] >= region["x"] and box["x"] + box["width"] <= region["x"] + region["width"]
    assert alice.evaluate("document.documentElement.scrollWidth") <= 1280
    alice.screenshot(path=str(screenshots / "instance-branch.png"), full_page=True)
    people = {u: WebClient(e2e_server.base_url) for u in ("bob", "carol")}
    try:
        for user, client in people.items():
            client.sign_in("acme", user, f"{user}-pw")
            assert act(client, big, "approve").status_code == 303
    finally:
        for client in people.values():
            client.close()
    pending = [(t.user_id, t.status) for t in get(e2e_sdk, big).task_list if t.status == "PENDING"]
    assert pending == [("dana", "PENDING")]

    # A small request skips the CFO: the page draws the case it does not take.
    alice.get_by_role("link", name="Start a request").click()
    alice.get_by_role("link", name=re.compile("^Travel expense")).click()
    alice.get_by_label("Reason").fill("Taxi")
    alice.get_by_label("Amount").fill("80")
    alice.get_by_label("Train").check()
    alice.get_by_label("Departure").fill("2025-07-02")
    alice.get_by_role("button", name="Submit").click()
    alice.wait_for_url(re.compile(r"/instances/[0-9A-F-]+\?ok=created"))
    assert alice.get_by_role("region", name="Process").get_by_text("branch not taken").is_visible()

    # Version history: a second version, the first still readable.
    admin.get_by_role("link", name="Open in designer").click()
    admin.get_by_role("region", name="Basics").get_by_label("Approval name (English)").fill("Travel expenses")
    admin.get_by_role("button", name="Publish new version").click()
    admin.wait_for_url(re.compile(r"\?ok=1"))
    admin.get_by_role("link", name="Version 1", exact=True).click()
    assert admin.get_by_role("heading", name=re.compile("Travel expense Version 1")).is_visible()
    admin.screenshot(path=str(screenshots / "definition-version.png"), full_page=True)
