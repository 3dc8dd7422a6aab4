"""The instance page and its actions, as people use them — and the engine's rules holding for forged posts."""

from __future__ import annotations

import re

from tests.web.instances import act, create, get, status_on_page, task_id_on_page


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit" name="action" value="([a-z_]+)"', html))


def test_the_approver_sees_the_actions_in_english(browser, sdk):
    code = create(sdk, title="Conference trip")
    html = browser("bob").page(f"/instances/{code}?lang=en")
    for label in ("Approve", "Reject", "Transfer", "Add approver", "Roll back", "CC", "Comment"):
        assert f">{label}</button>" in html, label
    assert '<label for="comment">Comment</label>' in html
    assert _buttons(html) == {"approve", "reject", "transfer", "add_sign", "rollback", "cc", "comment"}
    assert "Conference trip" in html and status_on_page(html) == "PENDING"


def test_the_submitter_may_comment_cc_and_cancel_but_not_decide(browser, sdk):
    code = create(sdk)
    html = browser("alice").page(f"/instances/{code}?lang=en")
    assert _buttons(html) == {"comment", "cc", "cancel"}
    assert ">Cancel</button>" in html


def test_reject_with_a_comment_ends_the_request_for_everyone(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    r = act(bob, code, "reject", comment="Not this quarter")
    assert r.status_code == 303 and r.headers["location"] == f"/instances/{code}?ok=reject"
    for who in ("bob", "alice"):
        html = browser(who).page(f"/instances/{code}")
        assert status_on_page(html) == "REJECTED"
        assert "Not this quarter" in html
    data = get(sdk, code)
    assert data.status == "REJECTED"
    assert [e.comment for e in data.timeline if e.type == "REJECT"] == ["Not this quarter"]


def test_approve_moves_the_request_to_the_next_node(browser, sdk):
    code = create(sdk)
    assert act(browser("bob"), code, "approve", comment="ok").status_code == 303
    carol = browser("carol")
    html = carol.page(f"/instances/{code}")
    assert "approve" in _buttons(html)
    assert act(carol, code, "approve").status_code == 303
    assert status_on_page(carol.page(f"/instances/{code}")) == "APPROVED"
    assert get(sdk, code).status == "APPROVED"


def test_the_page_needs_its_csrf_token(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    html = bob.page(f"/instances/{code}")
    r = bob.http.post(f"/instances/{code}", data={"action": "approve", "task_id": task_id_on_page(html)})
    assert r.status_code == 403
    r = bob.http.post(f"/instances/{code}", data={"action": "approve", "task_id": task_id_on_page(html),
                                                  "csrf_token": "0" * 64})
    assert r.status_code == 403
    # another user's token does not fit this session either
    alice_token = re.search(r'name="csrf_token" value="([^"]+)"', browser("alice").page("/inbox")).group(1)
    r = bob.http.post(f"/instances/{code}", data={"action": "approve", "task_id": task_id_on_page(html),
                                                  "csrf_token": alice_token})
    assert r.status_code == 403
    assert get(sdk, code).status == "PENDING"


def test_a_post_from_another_site_is_refused_even_with_a_token(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    html = bob.page(f"/instances/{code}")
    r = bob.post(f"/instances/{code}", {"action": "approve", "task_id": task_id_on_page(html)},
                 headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = bob.post(f"/instances/{code}", {"action": "approve", "task_id": task_id_on_page(html)},
                 headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert get(sdk, code).status == "PENDING"


def test_another_tenant_cannot_see_or_act(browser, sdk):
    code = create(sdk)
    bob_task = task_id_on_page(browser("bob").page(f"/instances/{code}"))
    for tenant, user in (("globex", "gus"), ("globex", "alice")):  # globex's alice is not acme's alice
        c = browser(user, tenant_key=tenant)
        assert c.get(f"/instances/{code}").status_code == 404
        r = c.post(f"/instances/{code}", {"action": "approve", "task_id": bob_task}, csrf_from="/inbox")
        assert r.status_code == 404
        assert code not in c.page("/inbox/todo") and code not in c.page("/inbox/started")
    assert get(sdk, code).status == "PENDING"


def test_a_non_approver_sees_no_actions_and_a_forged_post_is_refused(browser, sdk):
    code = create(sdk)
    bob_task = task_id_on_page(browser("bob").page(f"/instances/{code}"))
    act(browser("bob"), code, "cc", cc_user_ids=["dana"])
    dana = browser("dana")  # CC'd: may read the request, not decide on it
    html = dana.page(f"/instances/{code}?lang=en")
    assert _buttons(html) == set()
    assert "You have no action on this request right now." in html
    for action in ("approve", "reject", "transfer"):
        r = dana.post(f"/instances/{code}", {"action": action, "task_id": bob_task, "transfer_user_id": "dana"},
                      csrf_from=f"/instances/{code}")
        assert r.status_code == 403, action
        assert "no operation permission (1390009)" in r.text
    for action in ("comment", "cc"):  # CC'd readers do not take part
        r = dana.post(f"/instances/{code}", {"action": action, "comment": "hi", "cc_user_ids": "erin"},
                      csrf_from=f"/instances/{code}")
        assert r.status_code == 403, action
    r = dana.post(f"/instances/{code}", {"action": "cancel"}, csrf_from=f"/instances/{code}")
    assert r.status_code == 403
    data = get(sdk, code)
    assert data.status == "PENDING"
    assert [t.status for t in data.task_list] == ["PENDING"]


def test_someone_unrelated_cannot_open_the_request(browser, sdk):
    code = create(sdk)
    erin = browser("erin")
    assert erin.get(f"/instances/{code}").status_code == 403
    r = erin.post(f"/instances/{code}", {"action": "comment", "comment": "x"}, csrf_from="/inbox")
    assert r.status_code == 403


def test_admins_may_read_any_request_of_their_tenant(browser, sdk):
    code = create(sdk)
    html = browser("dana").page(f"/instances/{code}")  # dana is the app's admin
    assert _buttons(html) == set()


def test_transfer_add_approver_and_roll_back(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    assert act(bob, code, "transfer", transfer_user_id="erin", comment="over to you").status_code == 303
    data = get(sdk, code)
    assert sorted((t.user_id, t.status) for t in data.task_list) == [("bob", "TRANSFERRED"), ("erin", "PENDING")]
    erin = browser("erin")
    assert act(erin, code, "add_sign", add_sign_user_ids=["dana"], add_sign_type="3").status_code == 303
    assert ("dana", "PENDING") in [(t.user_id, t.status) for t in get(sdk, code).task_list]
    assert act(erin, code, "rollback", rollback_node_keys=["START"], comment="more detail").status_code == 303
    alice = browser("alice")
    html = alice.page(f"/instances/{code}")
    assert "resubmit" in _buttons(html)
    assert "over to you" in html and "more detail" in html


def test_errors_show_the_api_message(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    r = act(bob, code, "transfer", transfer_user_id="bob")  # to oneself: not offered, but posted anyway
    assert r.status_code == 400
    assert "param is invalid (1390001)" in r.text and "a task cannot be transferred to its own approver" in r.text
    r = act(bob, code, "transfer", transfer_user_id="")
    assert r.status_code == 400 and "Choose who to transfer to." in r.text
    r = act(bob, code, "approve")
    assert r.status_code == 303
    r = bob.post(f"/instances/{code}", {"action": "approve", "task_id": "123"}, csrf_from="/inbox")
    assert r.status_code == 400 and "task not found (1390010)" in r.text


def test_comment_and_cc(browser, sdk):
    code = create(sdk)
    alice = browser("alice")
    assert act(alice, code, "comment", comment="Receipt attached later").status_code == 303
    assert act(alice, code, "comment", comment="").status_code == 400
    assert act(alice, code, "cc", cc_user_ids=["carol", "erin"]).status_code == 303
    html = browser("erin").page(f"/instances/{code}")
    assert "Receipt attached later" in html
    assert "CC&#39;d Carol, Erin" in html


def test_cancel_by_the_submitter(browser, sdk):
    code = create(sdk)
    assert act(browser("alice"), code, "cancel", comment="plans changed").status_code == 303
    assert get(sdk, code).status == "CANCELED"
    html = browser("bob").page(f"/instances/{code}")
    assert status_on_page(html) == "CANCELED" and _buttons(html) == {"comment", "cc"}


def test_resubmit_after_a_send_back(browser, sdk):
    code = create(sdk, approval_code="BACK")
    assert act(browser("bob"), code, "reject", comment="say why").status_code == 303
    alice = browser("alice")
    html = alice.page(f"/instances/{code}?lang=en")
    assert _buttons(html) == {"resubmit", "comment", "cc", "cancel"}
    assert "conference</textarea>" in html  # the form comes pre-filled
    r = act(alice, code, "resubmit", **{"w.reason": "conference, and why", "w.days": "abc"})
    assert r.status_code == 400 and "控件= days: value must be a number" in r.text
    r = act(alice, code, "resubmit", **{"w.reason": "conference, and why", "w.days": "3"})
    assert r.status_code == 303
    data = get(sdk, code)
    assert data.status == "PENDING"
    assert ("bob", "PENDING") in [(t.user_id, t.status) for t in data.task_list]
    assert '"conference, and why"' in data.form


def test_the_process_picture_shows_who_is_where(browser, sdk):
    code = create(sdk)
    html = browser("alice").page(f"/instances/{code}?lang=en")
    flow = html[html.index('<ol class="flow">'):html.index("</ol>", html.index('<ol class="flow">'))]
    names = re.findall(r'class="step-name">([^<]+)<', flow)
    assert names == ["Start", "Manager", "Finance", "End"]
    assert 'aria-current="step"' in flow and "Bob" in flow and "Carol" in flow


def test_chinese_labels(browser, sdk):
    code = create(sdk)
    bob = browser("bob")
    html = bob.page(f"/instances/{code}?lang=zh")
    assert ">同意</button>" in html and ">拒绝</button>" in html and '<label for="comment">评论</label>' in html
    assert '<html lang="zh-CN"' in html
    assert ">同意</button>" in bob.page(f"/instances/{code}")  # the choice sticks (cookie)
    assert ">Approve</button>" in bob.page(f"/instances/{code}?lang=en")
