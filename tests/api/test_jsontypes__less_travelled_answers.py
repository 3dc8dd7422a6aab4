"""The answers no other test fetches through lark-oapi, fetched through it, so that the session's response check
(tests/oracles: the Node SDK's declared types and the contract) sees them too: contact v3 user get and
batch_get_id, authen v1 access_token and refresh_access_token."""

from __future__ import annotations

from lark_oapi.api.authen.v1 import (
    CreateAccessTokenRequest,
    CreateAccessTokenRequestBody,
    CreateRefreshAccessTokenRequest,
    CreateRefreshAccessTokenRequestBody,
)
from lark_oapi.api.contact.v3 import BatchGetIdUserRequest, BatchGetIdUserRequestBody, GetUserRequest

from tests.api.test_authen__oauth import authorize


def test_contact_user_get_and_batch_get_id(client_for):
    contact = client_for("cli_contact")
    got = contact.contact.v3.user.get(GetUserRequest.builder().user_id("alice").user_id_type("user_id").build())
    assert got.code == 0, got.msg
    assert got.data.user.open_id == "ou_alice"
    ids = contact.contact.v3.user.batch_get_id(BatchGetIdUserRequest.builder().user_id_type("user_id").request_body(
        BatchGetIdUserRequestBody.builder().emails(["alice@acme.example"]).mobiles([]).build()).build())
    assert ids.code == 0, ids.msg
    assert isinstance(ids.data.user_list, list)


def test_authen_v1_access_token_and_refresh(client, server):
    resp = client.authen.v1.access_token.create(CreateAccessTokenRequest.builder().request_body(
        CreateAccessTokenRequestBody.builder().grant_type("authorization_code").code(authorize(server, "bob"))
        .build()).build())
    assert resp.code == 0, resp.msg
    assert resp.data.access_token.startswith("u-")
    again = client.authen.v1.refresh_access_token.create(CreateRefreshAccessTokenRequest.builder().request_body(
        CreateRefreshAccessTokenRequestBody.builder().grant_type("refresh_token").refresh_token(resp.data.refresh_token)
        .build()).build())
    assert again.code == 0, again.msg
    assert again.data.access_token != resp.data.access_token
