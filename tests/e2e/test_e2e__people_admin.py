"""An HR admin in headless Chromium: adds a user, makes her the leader of a new department and moves a colleague
into it with her as his supervisor; the colleague's requests (submitted through the API) reach her at a
department-manager step and at a supervisor step, and she approves them in her inbox. Then she leaves: the admin
deactivates her, is asked who takes over her open task, names Erin, and Erin has it (the SDK sees the transfer).
On a server of this module's own: it changes the directory."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.e2e.conftest import _need_browser
from tests.e2e.test_e2e__reject_with_comment import sign_in
from tests.web.instances import create, get
from tests.web.seed import MGR, definition, web_seed

HEAD = {"id": "head", "name": "@i18n@mgr", "node_type": "AND", "approver": [{"type": "DepartmentManager",
                                                                               "level": "1"}]}


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """This module's server (it replaces the session's for this module): the web seed and a definition whose one
    step is the submitter's department leader."""
    _need_browser()
    seed = copy.deepcopy(web_seed())
    seed["tenants"][0]["approvals"].append(definition("DEPT", "@i18n@leave", [HEAD]))
    seed["tenants"][0]["approvals"].append(definition("SUP", "@i18n@leave", [MGR]))  # the submitter's supervisor
    srv = start_server(tmp_path_factory.mktemp("e2e-people"), "e2e-people", seed=seed)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def people_sdk(e2e_server: ShenpiProcess) -> Iterator[Any]:
    import lark_oapi as lark

    forget_sdk_tokens()
    yield (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(e2e_server.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    forget_sdk_tokens()


def pending(sdk: Any, code: str) -> list[str]:
    return [t.user_id for t in get(sdk, code).task_list if t.status == "PENDING"]


def test_a_new_department_leader_approves_and_her_open_task_is_handed_over(new_page, people_sdk):
    admin = new_page()
    sign_in(admin, "dana", "dana-pw")

    # Add Mei, with a password so she can sign in.
    admin.goto("/admin/people?lang=en")
    admin.get_by_role("link", name="Add a user").click()
    admin.get_by_label("User ID").fill("mei")
    admin.get_by_label("Name").fill("Mei Lin")
    admin.get_by_label("Email").fill("mei@acme.example")
    admin.get_by_label("Initial password").fill("mei-password")
    admin.get_by_role("button", name="Add user").click()
    admin.wait_for_url("**/admin/people/users/mei?ok=added")
    assert admin.get_by_role("status").inner_text() == "User added."

    # A new department, Design, led by Mei.
    admin.get_by_role("link", name="Departments").click()
    admin.get_by_role("link", name="Add a department").click()
    admin.get_by_label("Department ID").fill("design")
    admin.get_by_label("Name").fill("Design")
    admin.get_by_label("Parent department").select_option(label="Engineering")
    admin.get_by_label("Leader").select_option("mei")
    admin.get_by_role("button", name="Save department").click()
    admin.wait_for_url("**/admin/people/departments/design?ok=dept")
    assert "Mei Lin" in admin.get_by_role("region", name="Members").inner_text()

    # Frank moves to Design: only the keyboard, from his name field to the checkboxes.
    admin.goto("/admin/people/users/frank?lang=en")
    admin.get_by_label("Engineering").uncheck()
    admin.get_by_label("Design").focus()
    admin.keyboard.press("Space")
    assert admin.get_by_label("Design").is_checked()
    admin.get_by_label("Supervisor").select_option("mei")
    admin.get_by_role("button", name="Save changes").click()
    admin.wait_for_url("**/admin/people/users/frank?ok=saved")
    admin.goto("/admin/people/departments?lang=en")
    design = admin.locator("li", has=admin.get_by_role("link", name="Design", exact=True)).first
    assert "Leader: Mei Lin" in design.inner_text() and "2 members" in design.inner_text()

    # Frank's request reaches Mei at its department-manager step; she approves it in her inbox.
    first = create(people_sdk, "frank", approval_code="DEPT")
    assert pending(people_sdk, first) == ["mei"]
    mei = new_page()
    sign_in(mei, "mei", "mei-password")
    mei.locator(f'a[href="/instances/{first}"]').click()
    mei.wait_for_url(f"**/instances/{first}")
    mei.get_by_role("button", name="Approve").click()
    mei.wait_for_url(re.compile(r"ok="))
    assert get(people_sdk, first).status == "APPROVED"

    # His request of an approval whose step is the submitter's supervisor reaches her too.
    supervised = create(people_sdk, "frank", approval_code="SUP")
    assert pending(people_sdk, supervised) == ["mei"]
    mei.goto(f"/instances/{supervised}")
    mei.get_by_role("button", name="Approve").click()
    mei.wait_for_url(re.compile(r"ok="))
    assert get(people_sdk, supervised).status == "APPROVED"

    # A second request waits for Mei when she leaves: the admin hands it to Erin.
    second = create(people_sdk, "frank", approval_code="DEPT")
    assert pending(people_sdk, second) == ["mei"]
    admin.goto("/admin/people/users/mei?lang=en")
    assert "1 open tasks" in admin.get_by_role("region", name="Status").inner_text()
    admin.get_by_role("link", name="Deactivate…").click()
    assert admin.get_by_label("Resigned").is_checked()
    admin.get_by_role("button", name="Change status").click()
    assert "name who takes them over" in admin.get_by_role("alert").inner_text()
    admin.get_by_label("Hand open tasks over to").select_option("erin")
    admin.get_by_role("button", name="Change status").click()
    admin.wait_for_url("**/admin/people/users/mei?ok=moved&n=1")
    assert pending(people_sdk, second) == ["erin"]
    assert [(e.type, e.user_id) for e in get(people_sdk, second).timeline][-1] == ("TRANSFER", "mei")

    # Mei's session ended with her deactivation; Erin finds the task in her inbox.
    mei.goto("/inbox")
    assert "/login" in mei.url
    erin = new_page()
    sign_in(erin, "erin", "erin-pw")
    assert erin.locator(f'a[href="/instances/{second}"]').is_visible()
