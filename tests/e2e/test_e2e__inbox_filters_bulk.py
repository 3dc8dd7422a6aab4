"""The inbox in headless Chromium: search, filters and sorting narrow the to-do list; ticked tasks are approved with
one comment and the result takes the focus; on a 390 px wide phone every tab is on screen; the focus ring is a solid
outline with at least 3:1 contrast that forced-colours mode keeps; after approving on the instance page the next
task opens with the result focused. Each page state is checked by axe-core (no violations)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.e2e.axe import assert_no_violations, violations
from tests.e2e.test_e2e__reject_with_comment import sign_in
from tests.web.instances import create, get


def _rows(page: Any) -> list[str]:
    return [re.search(r"/instances/([0-9A-F-]+)", h or "").group(1)  # type: ignore[union-attr]
            for h in page.locator("a.row-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    m = re.match(r"rgba?\((\d+), (\d+), (\d+)", css)
    assert m, css
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def test_filters_sort_and_bulk_approve(new_page, e2e_sdk):
    tag = uuid.uuid4().hex[:8]
    one = create(e2e_sdk, title=f"{tag} one", form=[{"id": "reason", "type": "textarea", "value": "会议室预订 A"},
                                                    {"id": "days", "type": "number", "value": 1}])
    two = create(e2e_sdk, title=f"{tag} two")
    back = create(e2e_sdk, approval_code="BACK", title=f"{tag} back")
    bob = new_page()
    sign_in(bob, "bob", "bob-pw")
    bob.get_by_label("Search", exact=True).fill(tag)
    bob.get_by_role("button", name="Search", exact=True).click()
    bob.wait_for_url(re.compile(rf"/inbox/todo\?q={tag}"))
    assert _rows(bob) == [back, two, one]
    bob.get_by_text("Filters and sorting").click()
    bob.get_by_label("Approval").select_option(label="Leave")
    bob.get_by_label("Sort").select_option("oldest")
    bob.get_by_role("button", name="Apply filters").click()
    bob.wait_for_url(re.compile(r"approval=LEAVE.*sort=oldest"))
    assert _rows(bob) == [one, two]
    assert_no_violations(bob, "inbox, filtered")
    bob.get_by_label("Search", exact=True).fill("会议室预订")  # a Chinese word in the form
    bob.get_by_role("button", name="Search", exact=True).click()
    bob.wait_for_url(re.compile(r"q=%E4%BC%9A"))
    assert _rows(bob) == [one]

    bob.goto(f"/inbox/todo?q={tag}&approval=LEAVE")
    bob.get_by_label(f"Select “{tag} one”").check()
    bob.get_by_label(f"Select “{tag} two”").check()
    bob.get_by_label("Comment for all of them (optional)").fill("Both fine")
    bob.get_by_role("button", name="Approve selected").click()
    result = bob.locator("#result")
    assert "Approved 2 of 2." in result.inner_text()
    assert bob.evaluate("document.activeElement.id") == "result"
    assert_no_violations(bob, "inbox, after a bulk approval")
    for code in (one, two):
        data = get(e2e_sdk, code)
        assert [(e.type, e.comment) for e in data.timeline if e.type == "PASS"] == [("PASS", "Both fine")]
    bob.goto(f"/inbox/todo?q={tag}")
    assert _rows(bob) == [back]


def test_every_tab_is_on_a_phone_screen(new_page, e2e_sdk):
    create(e2e_sdk, title="Phone check")
    phone = new_page(width=390, height=844)
    sign_in(phone, "bob", "bob-pw")
    tabs = phone.locator("nav.tabs a")
    assert tabs.count() == 4
    for i in range(4):
        box = tabs.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (i, box)
        assert tabs.nth(i).is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    assert phone.get_by_role("link", name=re.compile("^CC'd to me")).is_visible()
    assert_no_violations(phone, "inbox on a phone")


def test_the_focus_ring_is_an_outline_that_forced_colours_keep(new_page, e2e_sdk):
    page = new_page()
    sign_in(page, "bob", "bob-pw")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link: an ordinary link on the page background
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow,
                getComputedStyle(document.body).backgroundColor]; }""")
    outline_style, width, color, shadow, background = style
    assert outline_style == "solid" and float(width.rstrip("px")) >= 2 and shadow == "none"
    assert _contrast(_rgb(color), _rgb(background)) >= 3, (color, background)
    assert _contrast(_rgb(color), (255, 255, 255)) >= 3
    page.emulate_media(forced_colors="active")
    forced = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert forced == "solid"


def test_after_approving_the_next_task_opens_with_the_result_focused(new_page, e2e_sdk):
    first = create(e2e_sdk, title="Go on A")
    second = create(e2e_sdk, title="Go on B")
    bob = new_page()
    sign_in(bob, "bob", "bob-pw")
    bob.goto(f"/instances/{first}")
    assert bob.get_by_label("Then go to my next task").is_checked()
    bob.get_by_role("button", name="Approve").click()
    bob.wait_for_url(re.compile(rf"/instances/[0-9A-F-]+\?ok=approve&prev={first}"))
    assert f"/instances/{first}?" not in bob.url  # another request: the next one
    assert bob.evaluate("document.activeElement.id") == "result"
    assert "Approved. This is your next task." in bob.locator("#result").inner_text()
    assert_no_violations(bob, "instance page, next task")
    bob.get_by_role("link", name="Open the request you just acted on").click()
    bob.wait_for_url(f"**/instances/{first}")
    assert second  # the newer one was among those waiting


def test_axe_finds_what_it_should_and_nothing_on_the_plain_pages(new_page, e2e_sdk):
    code = create(e2e_sdk, title="Axe check")
    page = new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
    assert "image-alt" in {v["id"] for v in violations(page)}  # the check can fail
    page.goto("/login?lang=en")
    assert_no_violations(page, "sign-in")
    sign_in(page, "bob", "bob-pw")
    assert_no_violations(page, "inbox")
    page.goto("/inbox/cc?read=unread")
    assert_no_violations(page, "CC'd to me, filters open")
    page.goto(f"/instances/{code}")
    assert_no_violations(page, "instance page")
