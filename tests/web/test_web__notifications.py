"""The bell and its pages: the unread count, the list, opening one (read, and on to its request), mark all read, and
the mail preferences page; each person sees only their own."""

from __future__ import annotations

import re

from shenpi.web import i18n
from shenpi.web.views.notifications import KIND_LABELS, MODE_LABELS
from tests.web.instances import act, create


def unread(client) -> int:
    r = client.get("/notifications/unread")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    return int(r.json()["unread"])


def first_id(html: str) -> int:
    m = re.search(r'data-notification="(\d+)"', html)
    assert m, html[:2000]
    return int(m.group(1))


def test_a_new_task_rings_the_bell_and_opening_it_marks_it_read(browser, sdk):
    bob, erin = browser("bob"), browser("erin")
    before = unread(bob)
    code = create(sdk, "alice", "LEAVE", title="Offsite in Hangzhou")
    assert unread(bob) == before + 1
    html = bob.page("/notifications")
    assert "Alice&#39;s request waits for your approval: Offsite in Hangzhou" in html
    assert f'data-unread-total>{before + 1} unread<' in html
    assert re.search(r"data-bell-count\s*>(\d+)<", html).group(1) == str(before + 1)  # type: ignore[union-attr]
    note = first_id(html)
    assert erin.get(f"/notifications/{note}").status_code == 404  # not hers: nothing is marked
    assert unread(bob) == before + 1
    r = bob.get(f"/notifications/{note}")
    assert r.status_code == 303 and r.headers["location"] == f"/instances/{code}"
    assert unread(bob) == before
    assert f'<li class="read" data-notification="{note}">' in bob.page("/notifications")


def test_mark_all_read_and_the_chinese_page(browser, sdk):
    bob, carol = browser("bob"), browser("carol")
    code = create(sdk, "alice", "LEAVE")
    before = unread(carol)
    assert act(bob, code, "approve").status_code == 303  # the manager's yes hands the request to carol (finance)
    assert unread(carol) == before + 1
    html = carol.page("/notifications?lang=zh")
    assert "Alice 提交的审批待你处理" in html and f"{before + 1} 条未读" in html
    carol.post("/notifications", {}, csrf_from="/notifications")
    assert unread(carol) == 0
    assert 'class="unread"' not in carol.page("/notifications")


def test_preferences_are_saved_and_checked(browser):
    dana = browser("dana")
    html = dana.page("/notifications/preferences")
    assert 'name="kind_assigned" value="immediate"' in html
    data = {f"kind_{k}": "immediate" for k in KIND_LABELS} | {"kind_cc": "digest", "kind_commented": "off",
                                                              "digest_at": "18:00", "time_zone": "Europe/Paris",
                                                              "language": "en"}
    r = dana.post("/notifications/preferences", data)
    assert r.status_code == 303 and r.headers["location"] == "/notifications/preferences?saved=1"
    html = dana.page("/notifications/preferences?saved=1")
    assert re.search(r'name="kind_cc" value="digest" aria-label="[^"]*" checked', html)
    assert re.search(r'name="kind_commented" value="off" aria-label="[^"]*" checked', html)
    assert 'value="18:00"' in html and 'value="Europe/Paris"' in html
    bad = dana.post("/notifications/preferences", data | {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Mars/Olympus" in bad.text
    assert 'value="Europe/Paris"' in dana.page("/notifications/preferences")  # the refused form changed nothing


def test_the_bell_needs_a_session(browser):
    anonymous = browser()
    r = anonymous.get("/notifications")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_every_label_has_chinese():
    assert [s for s in (*KIND_LABELS.values(), *MODE_LABELS.values()) if s not in i18n.ZH] == []
