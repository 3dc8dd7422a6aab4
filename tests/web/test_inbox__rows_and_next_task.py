"""What a row shows (the form's summary, an amount with its currency, the submitter, the step and the wait), and
what follows an action on the instance page: the person's next task, with the result focused and a way back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.web.conftest import PASSWORDS
from tests.web.helpers import WebClient
from tests.web.instances import act, create
from tests.web.seed import web_seed


@pytest.fixture(scope="module")
def lone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShenpiProcess, lark.Client]]:
    """A server of this module's own: whose lists hold only what these tests made."""
    srv = start_server(Path(tmp_path_factory.mktemp("next")), "nexttask", seed=web_seed())
    forget_sdk_tokens()
    yield srv, (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(srv.base_url)
                .log_level(lark.LogLevel.ERROR).build())
    forget_sdk_tokens()
    srv.close()


def _person(srv: ShenpiProcess, user_id: str) -> WebClient:
    c = WebClient(srv.base_url)
    c.sign_in("acme", user_id, PASSWORDS[("acme", user_id)])
    return c


def test_rows_show_the_summary_submitter_step_and_wait(web_server, sdk):
    srv = web_server
    code = create(sdk, form=[{"id": "reason", "type": "textarea", "value": "New monitor"},
                             {"id": "days", "type": "number", "value": 1},
                             {"id": "amount", "type": "amount", "value": 2399}])  # no currency, as an API may send
    bob = _person(srv, "bob")
    try:
        html = bob.page("/inbox/todo?lang=en")
        row = html[html.index(f'href="/instances/{code}"'):]
        row = row[:row.index("</li>")]
        assert "New monitor" in row and "2,399.00 CNY" in row
        assert "Submitted by Alice" in row and "Waiting for you at Manager" in row and "waiting 0 min" in row
        assert "2,399.00 CNY" in bob.page(f"/instances/{code}")  # the instance page shows the currency too
        assert "已等待 0 分钟" in bob.page("/inbox/todo?lang=zh")
        alice = WebClient(srv.base_url)
        alice.sign_in("acme", "alice", PASSWORDS[("acme", "alice")])
        started = alice.page(f"/inbox/started?q={code}&lang=en")  # the submitter sees where it stands
        assert "At step: Manager · waiting 0 min" in started and "2,399.00 CNY" in started
        assert "当前节点：主管审批" in alice.page(f"/inbox/started?q={code}&lang=zh")
        alice.close()
    finally:
        bob.close()


def test_after_acting_the_next_task_opens_with_the_result_focused(lone):
    srv, sdk = lone
    carol = _person(srv, "carol")  # carol decides at the finance step only: her list starts empty (a server of its own)
    bob = _person(srv, "bob")
    try:
        older, newer = create(sdk, title="Next A"), create(sdk, title="Next B")
        for code in (older, newer):
            act(bob, code, "approve")  # on to finance: carol's
        r = act(carol, newer, "approve", then="next")
        assert r.status_code == 303 and r.headers["location"] == f"/instances/{older}?ok=approve&prev={newer}"
        html = carol.page(r.headers["location"] + "&lang=en")
        assert "Approved. This is your next task." in html and "data-focus-on-load" in html
        assert f'href="/instances/{newer}"' in html
        r = act(carol, older, "reject", then="next")
        assert r.headers["location"] == f"/instances/{older}?ok=reject&next=none"
        assert "Rejected. No more tasks are waiting for you." in carol.page(r.headers["location"] + "&lang=en")
        assert "已拒绝。没有等待你处理的任务了。" in carol.page(r.headers["location"] + "&lang=zh")
    finally:
        carol.close()
        bob.close()
