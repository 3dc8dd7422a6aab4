"""The bell in headless Chromium: a request assigned to Bob lights his bell with the unread count (the page's script
asks the server for it); opening the notification takes him to the request and the count goes down."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.test_e2e__reject_with_comment import sign_in
from tests.web.instances import create


def bell_count(page: Any) -> int:
    count = page.locator("[data-bell-count]")
    return int(count.inner_text()) if count.is_visible() else 0


def test_the_bell_shows_the_count_and_opening_marks_read(new_page, e2e_sdk):
    bob = new_page()
    sign_in(bob, "bob", "bob-pw")
    bob.wait_for_load_state("networkidle")
    before = bell_count(bob)
    first = create(e2e_sdk, title="Bell: first offsite")
    create(e2e_sdk, title="Bell: second offsite")
    bob.goto("/inbox")
    bob.wait_for_function("n => Number(document.querySelector('[data-bell-count]').textContent) === n", arg=before + 2)
    assert bob.locator("[data-bell-count]").is_visible()

    bob.get_by_role("link", name=re.compile(r"^Notifications\b")).click()  # the bell, by its accessible name
    bob.wait_for_url("**/notifications")
    bob.get_by_role("link", name=re.compile("Bell: first offsite")).click()
    bob.wait_for_url(f"**/instances/{first}")
    bob.wait_for_function("n => Number(document.querySelector('[data-bell-count]').textContent) === n", arg=before + 1)

    bob.goto("/notifications")
    item = bob.locator("li", has_text="Bell: first offsite")
    assert item.get_attribute("class") == "read"
    assert bob.locator("li", has_text="Bell: second offsite").get_attribute("class") == "unread"
