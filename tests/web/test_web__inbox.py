"""The inbox: the four lists of tasks/query (to do, done, started, CC'd), with counts, search and paging."""

from __future__ import annotations

import re
import uuid

from tests.web.instances import act, create


def _codes(html: str) -> list[str]:
    return re.findall(r'<a href="/instances/([A-F0-9-]+)" class="row-link">', html)


def _badge(html: str, tab: str) -> str:
    m = re.search(rf'<a href="/inbox/{tab}"[^>]*>\s*[^<]*<span class="count">(\d+\+?)</span>', html)
    assert m, tab
    return m.group(1)


def _count(html: str, tab: str) -> int:
    return int(_badge(html, tab))


def test_the_four_lists(browser, sdk):
    code = create(sdk, title=f"Four lists {uuid.uuid4().hex[:6]}")
    bob, alice = browser("bob"), browser("alice")
    assert code in _codes(bob.page("/inbox"))
    assert code in _codes(bob.page("/inbox/todo"))
    assert code in _codes(alice.page("/inbox/started"))
    assert code not in _codes(alice.page("/inbox/todo"))
    act(bob, code, "cc", cc_user_ids=["erin"])
    act(bob, code, "approve")
    assert code not in _codes(bob.page("/inbox/todo"))
    assert code in _codes(bob.page("/inbox/done"))
    erin = browser("erin")
    html = erin.page("/inbox/cc?read=unread&lang=en")
    assert code in _codes(html)
    assert "CC&#39;d by Bob" in html
    erin.page(f"/instances/{code}")  # reading it marks the CC read
    assert code not in _codes(erin.page("/inbox/cc?read=unread"))
    assert code in _codes(erin.page("/inbox/cc?read=read"))
    assert code in _codes(erin.page("/inbox/cc"))


def test_counts_match_the_lists(browser, sdk):
    create(sdk)
    bob = browser("bob")
    for tab in ("todo", "done", "started", "cc"):
        html = bob.page(f"/inbox/{tab}?lang=en")
        total = re.search(r"Total: (\d+)", html)
        shown = int(total.group(1)) if total else 0
        assert _badge(html, tab) == (str(shown) if shown < 100 else "99+"), tab  # a badge counts to 99, then 99+
    assert _count(browser("carol").page("/inbox"), "started") == 0


def test_search_by_title_serial_and_approval_name(browser, sdk):
    tag = uuid.uuid4().hex[:8]
    code = create(sdk, title=f"Offsite {tag}")
    other = create(sdk, approval_code="BACK")
    bob = browser("bob")
    assert _codes(bob.page(f"/inbox/todo?q={tag}")) == [code]
    assert _codes(bob.page(f"/inbox/todo?q={tag.upper()}")) == [code]  # case does not matter
    assert _codes(bob.page(f"/inbox/todo?q={code.lower()}")) == [code]
    back = _codes(bob.page("/inbox/todo?q=Send-back%20flow&lang=en"))  # the definition's name
    assert other in back and code not in back
    html = bob.page("/inbox/todo?q=no-such-thing-anywhere&lang=en")
    assert _codes(html) == [] and "No results for" in html


def test_paging(browser, sdk):
    tag = uuid.uuid4().hex[:8]
    made = [create(sdk, title=f"Batch {tag} {i}") for i in range(23)]
    bob = browser("bob")
    first = bob.page(f"/inbox/todo?q={tag}&lang=en")
    assert len(_codes(first)) == 20 and "Page 1 of 2" in first and 'rel="next"' in first
    second = bob.page(f"/inbox/todo?q={tag}&page=2&lang=en")
    assert len(_codes(second)) == 3 and 'rel="prev"' in second and 'rel="next"' not in second
    assert set(_codes(first)) | set(_codes(second)) == set(made)
    assert _codes(first)[0] == made[-1]  # newest first


def test_a_bad_tab_or_page_is_handled(browser):
    bob = browser("bob")
    assert bob.get("/inbox/everything").status_code == 404
    assert bob.get("/inbox/todo?page=abc").status_code == 200
    assert bob.get("/inbox/todo?page=-3").status_code == 200
