"""The inbox tells requests apart and finds them: each row shows its summary (an amount with its currency), the
submitter, the step and the wait; a word in the form or a comment finds the request, Chinese or English, on a server
over SQLite and one over PostgreSQL; filters and sorting narrow the lists; several tasks are approved with one
comment, each on its own, with what failed said task by task; after acting the person goes on to their next task."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.web.conftest import PASSWORDS
from tests.web.helpers import WebClient, csrf_of
from tests.web.instances import act, create, get
from tests.web.seed import web_seed


def _codes(html: str) -> list[str]:
    return re.findall(r'<a href="/instances/([A-F0-9-]+)" class="row-link">', html)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def own(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShenpiProcess,
                                                                                                    lark.Client]]:
    """A server of this module's own (its lists hold only what these tests made), on each backend."""
    if request.param == "postgres":
        from tests.pg import pg_available, unavailable_reason

        if not pg_available():  # as tests.pg.postgres_url_or_skip: in CI the PostgreSQL cases must run
            if os.environ.get("CI") == "true":
                pytest.fail(f"{unavailable_reason()}; CI runs the PostgreSQL cases and never skips them")
            pytest.skip(unavailable_reason())
    srv = start_server(Path(tmp_path_factory.mktemp("inbox")), "inboxsearch", backend=request.param, seed=web_seed())
    forget_sdk_tokens()
    sdk = (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(srv.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    yield srv, sdk
    forget_sdk_tokens()
    srv.close()


def _person(srv: ShenpiProcess, user_id: str) -> WebClient:
    c = WebClient(srv.base_url)
    c.sign_in("acme", user_id, PASSWORDS[("acme", user_id)])
    return c


def test_a_word_in_the_form_or_a_comment_finds_the_request(own):
    srv, sdk = own
    trip = create(sdk, form=[{"id": "reason", "type": "textarea", "value": "去杭州出差报销，住 Hilton Hotel 两晚"},
                             {"id": "days", "type": "number", "value": 2}])
    desk = create(sdk, form=[{"id": "reason", "type": "textarea", "value": "买一张升降桌 standing desk"},
                             {"id": "days", "type": "number", "value": 1}])
    bob = _person(srv, "bob")
    try:
        assert _codes(bob.page("/inbox/todo?q=出差报销")) == [trip]
        assert _codes(bob.page("/inbox/todo?q=杭州")) == [trip]  # two characters: below the trigram index
        assert _codes(bob.page("/inbox/todo?q=HILTON")) == [trip]
        assert _codes(bob.page("/inbox/todo?q=升降桌")) == [desk]
        assert _codes(bob.page("/inbox/todo?q=standing%20desk")) == [desk]
        assert _codes(bob.page("/inbox/todo?q=北京出差")) == []
        act(bob, desk, "comment", comment="发票在附件里 invoice attached")
        assert _codes(bob.page("/inbox/todo?q=发票在附件")) == [desk]
        assert _codes(bob.page("/inbox/todo?q=invoice")) == [desk]
        alice = _person(srv, "alice")
        assert _codes(alice.page("/inbox/started?q=出差")) == [trip]
        alice.close()
    finally:
        bob.close()


def test_filters_and_sort(own):
    srv, sdk = own
    tag = uuid.uuid4().hex[:8]
    first = create(sdk, title=f"{tag} one")
    second = create(sdk, title=f"{tag} two")
    back = create(sdk, approval_code="BACK", title=f"{tag} back")
    from_erin = create(sdk, user_id="erin", title=f"{tag} erin")  # erin's manager is nobody: not bob's
    bob = _person(srv, "bob")
    try:
        assert _codes(bob.page(f"/inbox/todo?q={tag}")) == [back, second, first]
        assert _codes(bob.page(f"/inbox/todo?q={tag}&sort=oldest")) == [first, second, back]
        assert _codes(bob.page(f"/inbox/todo?q={tag}&approval=BACK")) == [back]
        assert _codes(bob.page(f"/inbox/todo?q={tag}&submitter=alice")) == [back, second, first]
        assert _codes(bob.page(f"/inbox/todo?q={tag}&submitter=carol")) == []
        assert _codes(bob.page(f"/inbox/todo?q={tag}&status=APPROVED")) == []
        assert _codes(bob.page(f"/inbox/todo?q={tag}&from=2000-01-01&to=2000-01-02")) == []
        assert _codes(bob.page(f"/inbox/todo?q={tag}&from=2000-01-01")) == [back, second, first]
        assert from_erin not in _codes(bob.page(f"/inbox/todo?q={tag}"))
        html = bob.page(f"/inbox/todo?q={tag}&approval=BACK&sort=oldest&lang=en")
        assert 'value="BACK" selected' in html and 'value="oldest" selected' in html  # the form keeps them
    finally:
        bob.close()


def test_bulk_approve_says_what_became_of_each_task(own):
    srv, sdk = own
    tag = uuid.uuid4().hex[:8]
    made = [create(sdk, title=f"{tag} bulk {i}") for i in range(3)]
    bob = _person(srv, "bob")
    try:
        html = bob.page(f"/inbox/todo?q={tag}&lang=en")
        picks = re.findall(r'name="task" value="([^"]+)"', html)
        assert sorted(p.split(":")[0] for p in picks) == sorted(made)
        gone = next(p for p in picks if p.startswith(made[0] + ":"))
        act(bob, made[0], "approve")  # decided meanwhile: the bulk approval of it fails, the others do not
        r = bob.post(f"/inbox/todo?q={tag}&lang=en", {"task": picks, "comment": "批量同意 all fine"},
                     csrf=csrf_of(html))
        assert r.status_code == 200
        assert "Approved 2 of 3." in r.text and 'data-focus-on-load' in r.text
        failed = re.findall(rf'<li class="err"><a href="/instances/{made[0]}">', r.text)
        assert failed and gone
        for code in made[1:]:
            assert f'<li class="ok"><a href="/instances/{code}">' in r.text
            data = get(sdk, code)
            assert [t.status for t in data.task_list if t.user_id == "bob"] == ["APPROVED"]
            assert [e.comment for e in data.timeline if e.type == "PASS"] == ["批量同意 all fine"]
        assert _codes(r.text) == []  # the list under it is the new one: nothing left of these
        none = bob.post("/inbox/todo?lang=en", {"comment": "x"}, csrf=csrf_of(html))
        assert none.status_code == 400 and "Select at least one task to approve." in none.text
    finally:
        bob.close()


def test_next_pages_follow_a_cursor_and_a_forged_one_starts_over(own):
    srv, sdk = own
    tag = uuid.uuid4().hex[:8]
    made = [create(sdk, title=f"{tag} page {i}") for i in range(23)]
    bob = _person(srv, "bob")
    try:
        first = bob.page(f"/inbox/todo?q={tag}&sort=oldest&lang=en")
        assert _codes(first) == made[:20] and "Page 1 of 2" in first
        link = re.search(r'<a rel="next" href="\?([^"]+)"', first)
        assert link and "after=" in link.group(1) and "page=" not in link.group(1)
        second = bob.page("/inbox/todo?" + link.group(1).replace("&amp;", "&"))
        assert _codes(second) == made[20:] and "Page 2 of 2" in second and 'rel="next"' not in second
        assert 'rel="prev"' in second
        # junk; another sort's; not a cursor; this list's, with keys its order cannot have written
        for forged in ("nonsense", "WyJ0b2RvOm5ld2VzdCIsMjAsWzEsMl1d", "W10", "WyJ0b2RvOm9sZGVzdCIsMjAsWyJ4IiwieSJdXQ"):
            again = bob.page(f"/inbox/todo?q={tag}&sort=oldest&after={forged}&lang=en")
            assert _codes(again) == made[:20] and "Page 1 of 2" in again, forged
    finally:
        bob.close()
