"""Files in the web inbox: the start form uploads what attachment and image widgets are given, the instance page
links each file, and only people who may see the request can open the link."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalApproverCcer,
    ApprovalCreate,
    ApprovalCreateViewers,
    ApprovalForm,
    ApprovalNode,
    CreateApprovalRequest,
    GetInstanceRequest,
    I18nResource,
    I18nResourceText,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


@pytest.fixture(scope="module")
def approval_code(sdk) -> str:
    """A definition with an attachment and an image widget, approved by carol."""
    widgets = [{"id": "docs", "type": "attachmentV2", "name": "@i18n@docs", "required": True},
               {"id": "pic", "type": "imageV2", "name": "@i18n@pic"}]
    body = (ApprovalCreate.builder().approval_name("@i18n@name")
            .viewers([ApprovalCreateViewers.builder().viewer_type("TENANT").build()])
            .form(ApprovalForm.builder().form_content(json.dumps(widgets)).build())
            .node_list([ApprovalNode.builder().id("START").build(),
                        ApprovalNode.builder().id("fin").name("@i18n@fin").node_type("OR").approver(
                            [ApprovalApproverCcer.builder().type("Personal").user_id("carol").build()]).build(),
                        ApprovalNode.builder().id("END").build()])
            .i18n_resources([I18nResource.builder().locale("en-US").is_default(True).texts([
                I18nResourceText.builder().key(k).value(v).build()
                for k, v in (("@i18n@name", "Expenses"), ("@i18n@docs", "Receipts"), ("@i18n@pic", "Photo"),
                             ("@i18n@fin", "Finance"))]).build()]).build())
    resp = sdk.approval.v4.approval.create(
        CreateApprovalRequest.builder().user_id_type("user_id").request_body(body).build())
    assert resp.code == 0, (resp.msg, resp.error)
    return str(resp.data.approval_code)


def _submit(browser, approval_code: str, files: list[tuple[str, tuple[str, bytes]]]) -> httpx.Response:
    alice = browser("alice")
    html = alice.page(f"/start/{approval_code}?lang=en")
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    return alice.post(f"/start/{approval_code}", {"title": "Taxi"}, files=files)


def test_a_file_posted_with_the_start_form_is_linked_for_those_who_may_see_the_request(browser, sdk, approval_code):
    answer = _submit(browser, approval_code, [("w.docs", ("receipt.pdf", b"%PDF taxi receipt")),
                                              ("w.pic", ("taxi.png", PNG))])
    assert answer.status_code == 303, answer.text[:500]
    instance = answer.headers["location"].split("?")[0].rsplit("/", 1)[1]
    page = browser("alice").page(f"/instances/{instance}?lang=en")
    links = dict((name, href) for href, name in re.findall(r'<a href="(/instances/[^"]+/files/[^"]+)">([^<]+)</a>',
                                                               page))
    assert set(links) == {"receipt.pdf", "taxi.png"}
    assert browser("alice").get(links["receipt.pdf"]).content == b"%PDF taxi receipt"
    carol = browser("carol").get(links["taxi.png"])  # the approver
    assert (carol.status_code, carol.content, carol.headers["content-type"]) == (200, PNG, "image/png")
    assert browser("erin").get(links["receipt.pdf"]).status_code == 403  # same tenant, no part in the request
    assert browser("gus", tenant_key="globex").get(links["receipt.pdf"]).status_code == 404  # another tenant
    assert browser().get(links["receipt.pdf"]).status_code in (302, 303)  # not signed in: to the sign-in page
    # The API shows the same file as a signed URL serving the same bytes.
    got = sdk.approval.v4.instance.get(GetInstanceRequest.builder().instance_id(instance).build())
    docs = next(w for w in json.loads(got.data.form) if w["id"] == "docs")
    assert docs["ext"] == "'receipt.pdf'" and httpx.get(docs["value"][0]).content == b"%PDF taxi receipt"


def test_a_file_the_instance_does_not_name_is_not_served(browser, approval_code):
    first = _submit(browser, approval_code, [("w.docs", ("a.pdf", b"first"))])
    second = _submit(browser, approval_code, [("w.docs", ("b.pdf", b"second"))])
    first_code = first.headers["location"].split("?")[0].rsplit("/", 1)[1]
    page = browser("alice").page(second.headers["location"])
    other_file = re.search(r'/files/([^"]+)">b.pdf', page)
    assert other_file is not None
    assert browser("alice").get(f"/instances/{first_code}/files/{other_file.group(1)}").status_code == 404


def test_a_non_image_for_an_image_widget_is_refused_on_the_form(browser, approval_code):
    answer = _submit(browser, approval_code, [("w.docs", ("a.pdf", b"pdf")), ("w.pic", ("fake.png", b"not a png"))])
    assert answer.status_code == 400
    assert "an image must be PNG, JPEG, GIF, BMP or WebP" in answer.text
    assert 'name="w.docs.code"' in answer.text  # the attachment already taken is carried, not asked for again
