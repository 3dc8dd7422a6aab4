"""The people admin pages: only admins get in; users are added, edited, deactivated (their open tasks handed over
to a named person, as the transfer API would), given a password and the admin role; a CSV adds every row or none;
departments get leaders; every page in Chinese and English, every control labelled. On a server of this module's
own: the pages change the directory the other web tests rely on."""

from __future__ import annotations

import html as h
import re
from collections.abc import Callable, Iterator

import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.web.conftest import PASSWORDS
from tests.web.helpers import WebClient
from tests.web.instances import create, get
from tests.web.seed import web_seed


@pytest.fixture(scope="module")
def people_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("web-people"), "web-people", seed=web_seed())
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


@pytest.fixture
def as_user(people_server: ShenpiProcess) -> Iterator[Callable[..., WebClient]]:
    made: list[WebClient] = []

    def make(user_id: str, password: str | None = None) -> WebClient:
        c = WebClient(people_server.base_url)
        made.append(c)
        c.sign_in("acme", user_id, password or PASSWORDS[("acme", user_id)])
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def sdk(people_server: ShenpiProcess) -> lark.Client:
    return (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(people_server.base_url)
            .log_level(lark.LogLevel.ERROR).build())


PAGES = ["/admin/people", "/admin/people/new", "/admin/people/import", "/admin/people/users/alice",
         "/admin/people/users/alice/status", "/admin/people/departments", "/admin/people/departments/new",
         "/admin/people/departments/eng"]


def test_only_admins_get_in(as_user):
    alice = as_user("alice")
    for path in PAGES:
        assert alice.get(path).status_code == 403, path
    r = alice.post("/admin/people/new", {"user_id": "x", "name": "X"}, csrf_from="/inbox")
    assert r.status_code == 403
    assert 'href="/admin/people"' in as_user("dana").page("/admin/definitions")


def _labelled(html: str) -> list[str]:
    """The ids of inputs, selects and textareas that no <label for> names (hidden fields and aria-label aside)."""
    labels = set(re.findall(r'<label[^>]* for="([^"]+)"', html))
    wrapped = re.findall(r"<label[^>]*>\s*<input[^>]*>", html)
    missing = []
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or "aria-label=" in tag or any(tag in w for w in wrapped):
            continue
        m = re.search(r'id="([^"]+)"', tag)
        if m is None or m.group(1) not in labels:
            missing.append(tag)
    return missing


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_in_both_languages_with_every_control_labelled(as_user, lang):
    dana = as_user("dana")
    for path in PAGES:
        html = dana.page(f"{path}?lang={lang}")
        assert _labelled(html) == [], path
    assert "部门" in dana.page("/admin/people/departments?lang=zh")
    assert "Departments" in dana.page("/admin/people/departments?lang=en")


def test_add_then_edit_a_user(as_user):
    dana = as_user("dana")
    r = dana.post("/admin/people/new", {"user_id": "hana", "name": "Hana", "email": "hana@acme.example",
                                        "department_ids": "fin", "leader_user_id": "dana",
                                        "password": "hana-secret-1"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/people/users/hana?ok=added"
    listing = dana.page("/admin/people?q=hana&lang=en")
    assert "Hana" in listing and "Finance" in listing and "Active" in listing
    as_user("hana", "hana-secret-1")  # signs in with the password given at creation
    again = dana.post("/admin/people/new", {"user_id": "hana", "name": "Hana"}, csrf_from="/admin/people/new")
    assert again.status_code == 400 and "A user with this id exists already" in h.unescape(again.text)
    r = dana.post("/admin/people/users/hana", {"name": "Hana Li", "email": "", "department_ids": ["fin", "eng"],
                                               "leader_user_id": "erin"})
    assert r.status_code == 303
    edited = dana.page("/admin/people/users/hana?lang=en")
    assert 'value="Hana Li"' in edited and re.search(r'value="erin" selected', edited)
    loop = dana.post("/admin/people/users/erin", {"name": "Erin", "leader_user_id": "hana"},
                     csrf_from="/admin/people/users/erin")
    assert loop.status_code == 400 and "reports to the user already" in h.unescape(loop.text)


def test_reset_password_and_admin_role(as_user):
    dana = as_user("dana")
    short = dana.post("/admin/people/users/frank/password", {"password": "short", "password_again": "short"},
                      csrf_from="/admin/people/users/frank")
    assert short.status_code == 400
    r = dana.post("/admin/people/users/frank/password", {"password": "frank-new-pw", "password_again": "frank-new-pw"},
                  csrf_from="/admin/people/users/frank")
    assert r.status_code == 303
    frank = as_user("frank", "frank-new-pw")
    assert frank.get("/admin/people").status_code == 403
    assert dana.post("/admin/people/users/frank/admin", {"admin": "1"},
                     csrf_from="/admin/people/users/frank").status_code == 303
    assert frank.get("/admin/people").status_code == 200
    assert dana.post("/admin/people/users/frank/admin", {"admin": "0"},
                     csrf_from="/admin/people/users/frank").status_code == 303
    assert frank.get("/admin/people").status_code == 403


def test_deactivating_a_user_with_open_tasks_hands_them_to_a_named_person(as_user, sdk):
    code = create(sdk, "alice")  # LEAVE: bob, alice's supervisor, has the first task
    assert [t.user_id for t in get(sdk, code).task_list if t.status == "PENDING"] == ["bob"]
    dana = as_user("dana")
    form = dana.page("/admin/people/users/bob/status?to=resigned&lang=en")
    assert code in form and "Hand open tasks over to" in form
    refused = dana.post("/admin/people/users/bob/status", {"status": "resigned", "transfer_to": ""},
                        csrf_from="/admin/people/users/bob/status")
    assert refused.status_code == 400 and "name who takes them over" in refused.text
    assert [t.user_id for t in get(sdk, code).task_list if t.status == "PENDING"] == ["bob"]
    r = dana.post("/admin/people/users/bob/status", {"status": "resigned", "transfer_to": "erin"},
                  csrf_from="/admin/people/users/bob/status")
    assert r.status_code == 303 and "ok=moved&n=1" in r.headers["location"]
    answer = get(sdk, code)
    assert [t.user_id for t in answer.task_list if t.status == "PENDING"] == ["erin"]
    assert [(e.type, e.user_id) for e in answer.timeline][-1] == ("TRANSFER", "bob")
    assert "Resigned" in dana.page("/admin/people?status=resigned&lang=en")
    bob = WebClient(dana.base_url)
    r = bob.post("/login", {"tenant_key": "acme", "user_id": "bob", "password": PASSWORDS[("acme", "bob")]},
                 csrf_from="/login")
    assert r.status_code != 303  # a resigned user cannot sign in
    bob.close()


def test_a_csv_import_adds_every_row_or_none(as_user):
    dana = as_user("dana")
    bad = dana.post("/admin/people/import", {"csv": "user_id,name\nivan,Ivan\njun,\n"})
    assert bad.status_code == 400 and "line 3" in bad.text
    assert "/admin/people/users/ivan" not in dana.page("/admin/people?q=ivan")
    ok = dana.post("/admin/people/import", {"csv": ""}, csrf_from="/admin/people/import",
                   files={"file": ("people.csv", "\ufeffuser_id,name,department_ids\nivan,Ivan,eng\njun,Jun,eng;fin\n"
                                   .encode(), "text/csv")})
    assert ok.status_code == 200 and "2 users added." in ok.text
    assert "Ivan" in dana.page("/admin/people/departments/eng")


def test_departments_tree_and_leader(as_user):
    dana = as_user("dana")
    r = dana.post("/admin/people/departments/new", {"department_id": "ops", "name": "Operations",
                                                    "parent_department_id": "eng", "leader_user_id": "carol"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/people/departments/ops?ok=dept"
    tree = dana.page("/admin/people/departments?lang=en")
    nested = re.search(r'href="/admin/people/departments/eng">Engineering</a>.*?<ul class="dept-tree">(.*?)</ul>',
                       tree, re.S)
    assert nested and "Operations" in nested.group(1) and "Leader: Carol" in nested.group(1)
    assert "Carol" in dana.page("/admin/people/departments/ops")  # the leader is a member
    cycle = dana.post("/admin/people/departments/eng", {"name": "Engineering", "parent_department_id": "ops",
                                                        "leader_user_id": "erin"},
                      csrf_from="/admin/people/departments/eng")
    assert cycle.status_code == 400 and "cannot sit under itself" in cycle.text
    zh = dana.post("/admin/people/departments/eng?lang=zh", {"name": "", "leader_user_id": "erin"},
                   csrf_from="/admin/people/departments/eng")
    assert zh.status_code == 400 and "请填写名称" in zh.text
