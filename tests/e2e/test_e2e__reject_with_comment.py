"""Two people in headless Chromium: Alice starts a leave request, Bob rejects it with a comment; both see
REJECTED and the comment, and so does the SDK. The README's screenshots (docs/screenshots) come from this run,
written to the folder the ``screenshots`` fixture names (``SHENPI_SCREENSHOTS``, or a temporary one)."""

from __future__ import annotations

import re
from typing import Any

from tests.web.helpers import WebClient
from tests.web.instances import act, create, get

COMMENT = "Please split this into two requests: the offsite is a separate trip."


def sign_in(page: Any, user_id: str, password: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_label("Tenant").fill("acme")
    page.get_by_label("User ID").fill(user_id)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/inbox")


def _background(sdk: Any, base_url: str) -> None:
    """A few other requests, so the inbox looks like an inbox."""
    create(sdk, title="New monitor for the design team", form=[
        {"id": "reason", "type": "textarea", "value": "27-inch, for colour work"},
        {"id": "days", "type": "number", "value": 1},
        {"id": "amount", "type": "amount", "value": 2399, "currency": "CNY"}])
    create(sdk, approval_code="BACK", title="Conference: PyCon China")
    done = create(sdk, title="Half day off on Friday")
    copied = create(sdk, user_id="erin", title="Laptop upgrade")  # erin has no manager: passes at once
    people = {u: WebClient(base_url) for u in ("bob", "erin")}
    try:
        for user, client in people.items():
            client.sign_in("acme", user, f"{user}-pw")
        act(people["bob"], done, "approve", comment="Enjoy")
        act(people["erin"], copied, "cc", cc_user_ids=["bob"], comment="FYI")
    finally:
        for client in people.values():
            client.close()


def test_two_people_reject_with_a_comment(new_page, e2e_server, e2e_sdk, screenshots):
    _background(e2e_sdk, e2e_server.base_url)

    # Alice starts a request from the form; the browser checks it first, with the API's own words.
    alice = new_page()
    sign_in(alice, "alice", "alice-pw")
    alice.get_by_role("link", name="Start a request").click()
    alice.get_by_role("link", name=re.compile("^Leave")).click()
    alice.get_by_role("button", name="Submit").click()
    assert alice.get_by_text("控件= reason: value is required").is_visible()
    assert "/start/LEAVE" in alice.url  # nothing was posted
    alice.get_by_label("Title (optional)").fill("Team offsite in Hangzhou")
    alice.get_by_label("Reason").fill("Two days with the platform team, then the customer visit.")
    alice.get_by_label("Days").fill("2")
    alice.get_by_label("Amount").fill("1800")
    alice.get_by_label("Annual").check()
    alice.get_by_label("Beta").check()
    alice.get_by_label("From").fill("2025-06-02")
    alice.get_by_label("To").fill("2025-06-03")
    alice.get_by_label("Backup").select_option("carol")
    alice.get_by_role("button", name="Submit").click()
    alice.wait_for_url(re.compile(r"/instances/[0-9A-F-]+\?ok=created"))
    code = re.search(r"/instances/([0-9A-F-]+)", alice.url).group(1)
    assert alice.locator("#status").get_attribute("data-status") == "PENDING"

    # Bob finds it in his inbox and rejects it with a comment.
    bob = new_page(height=560)  # full-page screenshots: as tall as the content, no taller
    sign_in(bob, "bob", "bob-pw")
    row = bob.locator(f'a[href="/instances/{code}"]')
    assert row.is_visible() and "Team offsite in Hangzhou" in row.inner_text()
    bob.screenshot(path=str(screenshots / "inbox.png"), full_page=True)
    row.click()
    bob.wait_for_url(f"**/instances/{code}")
    assert bob.get_by_role("button", name="Approve").is_visible()
    bob.get_by_label("Comment").fill(COMMENT)
    bob.screenshot(path=str(screenshots / "instance.png"), full_page=True)
    bob.get_by_label("Then go to my next task").uncheck()  # stay to see the result here
    bob.get_by_role("button", name="Reject").click()
    bob.wait_for_url(f"**/instances/{code}?ok=reject")
    assert bob.locator("#status").get_attribute("data-status") == "REJECTED"
    assert "Rejected" in bob.locator("#status").inner_text()
    assert bob.locator(".ev-comment", has_text=COMMENT).is_visible()
    assert bob.get_by_role("button", name="Approve").count() == 0

    # Alice sees the same, on a phone-sized screen.
    alice.set_viewport_size({"width": 390, "height": 844})
    alice.goto(f"/instances/{code}")
    assert alice.locator("#status").get_attribute("data-status") == "REJECTED"
    assert alice.locator(".ev-comment", has_text=COMMENT).is_visible()
    alice.screenshot(path=str(screenshots / "instance-rejected-phone.png"), full_page=True)
    alice.goto("/inbox/started")
    assert "Rejected" in alice.locator(f'a[href="/instances/{code}"]').inner_text()

    # And an integration's code, through the official SDK, sees the same instance.
    data = get(e2e_sdk, code)
    assert data.status == "REJECTED"
    assert [(e.type, e.comment) for e in data.timeline if e.type == "REJECT"] == [("REJECT", COMMENT)]
    assert data.user_id == "alice" and data.approval_code == "LEAVE"


def test_keyboard_only_sign_in_and_approve(new_page, e2e_server, e2e_sdk):
    code = create(e2e_sdk, title="Keyboard check")
    page = new_page()
    page.goto("/login?lang=en")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Tenant").focus()
    page.keyboard.type("acme")
    page.keyboard.press("Tab")
    page.keyboard.type("bob")
    page.keyboard.press("Tab")
    page.keyboard.type("bob-pw")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inbox")
    page.goto(f"/instances/{code}")
    page.get_by_label("Comment").focus()
    page.keyboard.type("fine by me")
    page.keyboard.press("Tab")  # from the comment box to Approve
    assert page.evaluate("document.activeElement.textContent") == "Approve"
    page.keyboard.press("Enter")
    # on to bob's next task (or, with none left, this one), the result message focused for the keyboard
    page.wait_for_url(re.compile(rf"/instances/[0-9A-F-]+\?ok=approve&(prev={code}|next=none)"))
    assert page.evaluate("document.activeElement.id") == "result"
    assert get(e2e_sdk, code).task_list[0].status == "APPROVED"


def test_chinese_pages(new_page, e2e_server):
    page = new_page()
    page.goto("/login?lang=zh")
    assert page.get_by_role("heading", name="登录").is_visible()
    page.get_by_label("租户").fill("acme")
    page.get_by_label("用户 ID").fill("carol")
    page.get_by_label("密码").fill("carol-pw")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/inbox")
    assert page.get_by_role("link", name=re.compile("^待办")).is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
