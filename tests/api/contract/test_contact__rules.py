"""The documented rules of contact v3's user get and batch_get_id, driven through lark-oapi."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.authen.v1 import CreateOidcAccessTokenRequest, CreateOidcAccessTokenRequestBody
from lark_oapi.api.contact.v3 import BatchGetIdUserRequest, BatchGetIdUserRequestBody, GetUserRequest

CONTACT_TOKEN_URL = "/open-apis/auth/v3/tenant_access_token/internal"


def test_get_answers_the_user_in_the_id_type_asked(client_for):
    """user_id_type says how the path's user id and the ids in the answer are written (open_id by default).
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    contact = client_for("cli_contact")
    by_open_id = contact.contact.v3.user.get(GetUserRequest.builder().user_id("ou_alice").build())
    assert by_open_id.code == 0, (by_open_id.msg, by_open_id.error)
    assert (by_open_id.data.user.open_id, by_open_id.data.user.union_id) == ("ou_alice", "on_alice")
    by_user_id = contact.contact.v3.user.get(GetUserRequest.builder().user_id("alice").user_id_type("user_id").build())
    assert by_user_id.code == 0 and by_user_id.data.user.open_id == "ou_alice"
    by_union_id = contact.contact.v3.user.get(GetUserRequest.builder().user_id("on_alice").user_id_type("union_id")
                                              .build())
    assert by_union_id.code == 0 and by_union_id.data.user.user_id == "alice"


def test_get_an_unknown_user_is_41050(client_for):
    """A user the app cannot see (for shenpi: no such user) answers 41050 at HTTP 400.
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    resp = client_for("cli_contact").contact.v3.user.get(GetUserRequest.builder().user_id("ou_nobody").build())
    assert (resp.code, resp.raw.status_code, resp.msg) == (41050, 400, "no user authority"), (resp.msg, resp.error)


def test_get_an_id_not_of_its_type_is_41012(client_for):
    """An id that cannot be of the type asked (an open_id without ou_, a union_id without on_) answers 41012 at HTTP
    400, where a well-formed id of nobody is 41050. Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    users = client_for("cli_contact").contact.v3.user
    for id_type, bad in (("open_id", "alice"), ("union_id", "ou_alice")):
        resp = users.get(GetUserRequest.builder().user_id(bad).user_id_type(id_type).build())
        assert (resp.code, resp.raw.status_code) == (41012, 400), (id_type, resp.code, resp.msg)
    free_form = users.get(GetUserRequest.builder().user_id("nobody").user_id_type("user_id").build())
    assert free_form.code == 41050, free_form.msg


def test_batch_get_id_answers_one_entry_per_address(client_for):
    """One entry per email and per mobile asked, each echoing what was asked; user_id is left out when nobody
    matches. Page: https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id"""
    resp = client_for("cli_contact").contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder()
        .request_body(BatchGetIdUserRequestBody.builder().emails(["nobody@example.com", "none@example.com"])
                      .mobiles(["13011111111"]).build()).build())
    assert resp.code == 0, (resp.msg, resp.error)
    assert [(u.email, u.mobile, u.user_id) for u in resp.data.user_list] == [
        ("nobody@example.com", None, None), ("none@example.com", None, None), (None, "13011111111", None)]


def test_user_id_type_user_id_needs_the_employee_id_field_scope(client_for):
    """Asking for user_id_type=user_id needs contact:user.employee_id:readonly (99991672 without it); open_id does
    not. Pages: https://open.feishu.cn/document/server-docs/contact-v3/user/get and
    https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id"""
    noid = client_for("cli_contact_noid")
    assert noid.contact.v3.user.get(GetUserRequest.builder().user_id("ou_alice").build()).code == 0
    refused = noid.contact.v3.user.get(GetUserRequest.builder().user_id("alice").user_id_type("user_id").build())
    assert refused.code == 99991672, (refused.msg, refused.error)
    body = BatchGetIdUserRequestBody.builder().emails(["nobody@example.com"]).build()
    assert noid.contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder().request_body(body).build()).code == 0
    refused = noid.contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder().user_id_type("user_id")
                                                .request_body(body).build())
    assert refused.code == 99991672, (refused.msg, refused.error)


@pytest.mark.parametrize("param", ["user_id_type", "department_id_type"])
def test_get_an_unknown_id_type_is_40001(server, param):
    """user_id_type is open_id, union_id or user_id; department_id_type is department_id or open_department_id;
    another value is an invalid parameter, 40001 at HTTP 400. Raw HTTP: lark-oapi types both as enums.
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    token = httpx.post(server.base_url + CONTACT_TOKEN_URL,
                       json={"app_id": "cli_contact", "app_secret": "contact"}).json()["tenant_access_token"]
    r = httpx.get(f"{server.base_url}/open-apis/contact/v3/users/ou_alice", params={param: "email"},
                  headers={"Authorization": f"Bearer {token}"})
    assert (r.json()["code"], r.status_code) == (40001, 400), r.text


@pytest.mark.parametrize("field", ["emails", "mobiles"])
def test_batch_get_id_over_50_is_40001(client_for, field):
    """emails and mobiles take at most 50 entries each. The page lists no code of its own; contact v3's code for an
    invalid parameter, on the user get page, is 40001 at HTTP 400.
    Pages: https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id and
    https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    body = BatchGetIdUserRequestBody.builder()
    body = getattr(body, field)([f"u{i}@example.com" if field == "emails" else f"130{i:08d}" for i in range(51)])
    resp = client_for("cli_contact").contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder()
                                                                  .request_body(body.build()).build())
    assert (resp.code, resp.raw.status_code) == (40001, 400), (resp.msg, resp.error)


def test_batch_get_id_body_not_json_is_40001(server):
    """A body that is not JSON is an invalid parameter, 40001 at HTTP 400. Raw HTTP: the SDK always sends JSON.
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get (contact v3's invalid-parameter code)"""
    token = httpx.post(server.base_url + CONTACT_TOKEN_URL,
                       json={"app_id": "cli_contact", "app_secret": "contact"}).json()["tenant_access_token"]
    r = httpx.post(f"{server.base_url}/open-apis/contact/v3/users/batch_get_id", content=b"[1,",
                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert (r.json()["code"], r.status_code) == (40001, 400), r.text


def test_get_takes_a_user_token(server, client_for):
    """The page's Authorization row takes a tenant_access_token or a user_access_token.
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/get"""
    r = httpx.get(server.base_url + "/open-apis/authen/v1/authorize",
                  params={"app_id": "cli_contact", "redirect_uri": "https://app.example/cb", "user_id": "bob"})
    code = parse_qs(urlparse(r.headers["location"]).query)["code"][0]
    contact = client_for("cli_contact")
    token = contact.authen.v1.oidc_access_token.create(CreateOidcAccessTokenRequest.builder().request_body(
        CreateOidcAccessTokenRequestBody.builder().grant_type("authorization_code").code(code).build()).build())
    assert token.code == 0, token.msg
    as_user = (lark.Client.builder().app_id("cli_contact").app_secret("contact").domain(server.base_url)
               .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())  # sends the option's token as is
    option = lark.RequestOption.builder().user_access_token(token.data.access_token).build()
    got = as_user.contact.v3.user.get(GetUserRequest.builder().user_id("ou_alice").build(), option)
    assert got.code == 0 and got.data.user.union_id == "on_alice", (got.msg, got.error)


@pytest.fixture(scope="module")
def mail_server(backend, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A server whose alice has an email address, for batch_get_id to find."""
    from shenpi.testing import forget_sdk_tokens
    from tests.conftest import start_server
    from tests.seeds import test_seed

    seed = test_seed()
    seed["tenants"][0]["users"][0]["email"] = "alice@acme.example"
    srv = start_server(tmp_path_factory.mktemp("contact-mail"), "contact-mail", backend, seed=seed)
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def test_batch_get_id_answers_the_user_id_type_asked_open_id_by_default(mail_server):
    """user_id_type is open_id (the default), union_id or user_id; another value is 40001.
    Page: https://open.feishu.cn/document/server-docs/contact-v3/user/batch_get_id"""
    contact = mail_server.client("cli_contact")

    def found(id_type: str | None) -> tuple[int, str | None]:
        req = BatchGetIdUserRequest.builder().request_body(BatchGetIdUserRequestBody.builder()
                                                           .emails(["alice@acme.example"]).build())
        if id_type is not None:
            req = req.user_id_type(id_type)
        resp = contact.contact.v3.user.batch_get_id(req.build())
        return resp.code, resp.data.user_list[0].user_id if resp.code == 0 else None

    assert [found(None), found("open_id"), found("union_id"), found("user_id")] == [
        (0, "ou_alice"), (0, "ou_alice"), (0, "on_alice"), (0, "alice")]
    assert found("email") == (40001, None)
