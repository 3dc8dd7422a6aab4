"""authen v1's codes for a user who is not active and for a disabled app, driven through lark-oapi: a user who
signed in and then resigned (20021), was frozen (20022) or never activated their account (20023) gets no token
on any of the four token pages and no profile from user_info; an app disabled after its token was issued lets
nobody sign in through it (20042). contact v3 answers each user's state in ``status``. The pages:

- https://open.feishu.cn/document/historic-version/authen/create-3 (OIDC access_token)
- https://open.feishu.cn/document/historic-version/authen/create-4 (OIDC refresh_access_token)
- https://open.feishu.cn/document/server-docs/authentication-management/access-token/create-2 (v1 access_token)
- https://open.feishu.cn/document/server-docs/authentication-management/access-token/create (v1 refresh)
- https://open.feishu.cn/document/server-docs/authentication-management/login-state-management/get (user_info)
- https://open.feishu.cn/document/server-docs/contact-v3/user/get (the status object)
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.authen.v1 import GetUserInfoRequest
from lark_oapi.api.contact.v3 import BatchGetIdUserRequest, BatchGetIdUserRequestBody, GetUserRequest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.contract.test_authen__rules import oidc_refresh, oidc_token
from tests.api.contract.test_authen_states__rules import answer, legacy_refresh, legacy_token
from tests.api.helpers import create_instance, pending_task
from tests.api.helpers_ops import add_sign, transfer
from tests.api.test_authen__oauth import authorize
from tests.conftest import start_server
from tests.seeds import test_seed

# Three people who sign in while active; the reset below changes each one's state.
PEOPLE = {"ria": "resigned", "fay": "frozen", "una": "unactivated"}


def seed_with(states: dict[str, str], *, app_enabled: bool = True) -> dict[str, Any]:
    seed = copy.deepcopy(test_seed())
    tenant = seed["tenants"][0]
    for user_id, state in states.items():
        tenant["users"].append({"user_id": user_id, "name": user_id.title(), "department_ids": ["eng"],
                                "email": f"{user_id}@acme.example", "status": state})
    if not app_enabled:
        next(a for a in tenant["apps"] if a["app_id"] == "cli_acme")["enabled"] = False
    return seed


@pytest.fixture(scope="module")
def status_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("user-status"), "user-status", backend,
                       seed=seed_with(dict.fromkeys(PEOPLE, "active")))
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def user_client(srv: ShenpiProcess) -> lark.Client:
    return (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
            .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())


def signed_in(srv: ShenpiProcess, user_id: str) -> dict[str, str]:
    """While the user is active: a pair from each token page, and two codes not yet redeemed."""
    client = srv.client("cli_acme")
    oidc = oidc_token(client, grant_type="authorization_code", code=authorize(srv, user_id))
    legacy = legacy_token(client, grant_type="authorization_code", code=authorize(srv, user_id))
    assert oidc.code == 0 and legacy.code == 0, (oidc.msg, legacy.msg)
    return {"access": oidc.data.access_token, "oidc_refresh": oidc.data.refresh_token,
            "legacy_refresh": legacy.data.refresh_token, "oidc_code": authorize(srv, user_id),
            "legacy_code": authorize(srv, user_id)}


def every_page(srv: ShenpiProcess, held: dict[str, str]) -> list[tuple[int, int]]:
    """The answer of each of the five pages to what the user held: (code, HTTP status) each."""
    client = srv.client("cli_acme")
    me = user_client(srv).authen.v1.user_info.get(GetUserInfoRequest.builder().build(), lark.RequestOption.builder()
                                                  .user_access_token(held["access"]).build())
    return [answer(oidc_token(client, grant_type="authorization_code", code=held["oidc_code"])),
            answer(legacy_token(client, grant_type="authorization_code", code=held["legacy_code"])),
            answer(oidc_refresh(client, grant_type="refresh_token", refresh_token=held["oidc_refresh"])),
            answer(legacy_refresh(client, grant_type="refresh_token", refresh_token=held["legacy_refresh"])),
            answer(me)]


@pytest.fixture(scope="module")
def after_the_change(status_server: ShenpiProcess) -> dict[str, list[tuple[int, int]]]:
    """Each person signs in while active; then the directory changes their state; then what each page answers."""
    status_server.reset(seed_with(dict.fromkeys(PEOPLE, "active")))
    held = {user_id: signed_in(status_server, user_id) for user_id in PEOPLE}
    status_server.reset(seed_with(PEOPLE))
    return {user_id: every_page(status_server, held[user_id]) for user_id in PEOPLE}


def test_a_resigned_user_is_20021_on_every_token_page_and_user_info(after_the_change):
    assert after_the_change["ria"] == [(20021, 200)] * 5


def test_a_frozen_user_is_20022_on_every_token_page_and_user_info(after_the_change):
    assert after_the_change["fay"] == [(20022, 200)] * 5


def test_an_unactivated_user_is_20023_on_every_token_page_and_user_info(after_the_change):
    assert after_the_change["una"] == [(20023, 200)] * 5


def test_an_active_user_still_signs_in_beside_them(status_server, after_the_change):
    """The refusals are the user's state, not the app's: an active user of the same app signs in as before."""
    pair = oidc_token(status_server.client("cli_acme"), grant_type="authorization_code",
                      code=authorize(status_server, "bob"))
    assert pair.code == 0, pair.msg


def test_contact_answers_each_users_state(status_server, after_the_change):
    """contact v3's status object: frozen keeps is_activated, a resigned user is no longer activated, an
    unactivated one has not joined (is_unjoin)."""
    client = status_server.client("cli_contact")
    got = {}
    for user_id in ("bob", *PEOPLE):
        resp = client.contact.v3.user.get(GetUserRequest.builder().user_id(user_id).user_id_type("user_id").build())
        assert resp.code == 0, resp.msg
        s = resp.data.user.status
        got[user_id] = (s.is_activated, s.is_frozen, s.is_resigned, s.is_unjoin, s.is_exited)
    assert got == {"bob": (True, False, False, False, False), "fay": (True, True, False, False, False),
                   "ria": (False, False, True, False, False), "una": (False, False, False, True, False)}


def test_batch_get_id_finds_a_resigned_user_only_when_asked(status_server, after_the_change):
    """include_resigned: a resigned user's email maps to their id only when it is true."""
    client = status_server.client("cli_contact")

    def ids(include: bool) -> dict[str, str | None]:
        body = (BatchGetIdUserRequestBody.builder().emails(["ria@acme.example", "fay@acme.example"])
                .include_resigned(include).build())
        resp = client.contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder().user_id_type("user_id")
                                                   .request_body(body).build())
        assert resp.code == 0, resp.msg
        return {e.email: e.user_id for e in resp.data.user_list}

    assert ids(False) == {"ria@acme.example": None, "fay@acme.example": "fay"}
    assert ids(True) == {"ria@acme.example": "ria", "fay@acme.example": "fay"}


def test_a_task_goes_to_no_user_who_is_not_active(status_server, after_the_change):
    """A transfer or an added approver naming a resigned, frozen or unactivated user is 1390001 naming the field,
    and the task stays where it was; an active user takes it."""
    client = status_server.client("cli_acme")
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    for user_id in PEOPLE:
        resp = transfer(client, "AND2", inst, "bob", task, user_id)
        assert (resp.raw.status_code, resp.code) == (400, 1390001) and "transfer_user_id" in resp.msg + str(
            resp.error), resp.msg
        added = add_sign(client, "AND2", inst, "bob", task, [user_id], 1)
        assert (added.raw.status_code, added.code) == (400, 1390001), added.msg
    assert pending_task(client, inst, "bob") == task
    assert transfer(client, "AND2", inst, "bob", task, "erin").code == 0


def test_a_disabled_app_is_20042_on_every_token_page(status_server, after_the_change):
    """The app is disabled after its app token was issued and its users signed in: no code or refresh token is
    redeemed through it (each stays unused), on the OIDC pages as on the v1 ones."""
    status_server.reset(seed_with({}))
    held = signed_in(status_server, "bob")
    status_server.reset(seed_with({}, app_enabled=False))
    assert every_page(status_server, held)[:4] == [(20042, 200)] * 4
    status_server.reset(seed_with({}))  # enabled again: the grants were not used up by the refusals
    assert every_page(status_server, held)[:4] == [(0, 200)] * 4
