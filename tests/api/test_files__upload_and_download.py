"""The approval file upload: a file uploaded by an app goes into an instance's attachment or image widget, and
instance get gives it back as a signed URL that serves the same bytes."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.api.files_helpers import PNG, file_definition, upload
from tests.api.helpers import create_instance, get_instance


@pytest.fixture(scope="module")
def approval_code(client) -> str:
    return file_definition(client)


def test_an_uploaded_attachment_comes_back_through_the_instance(client, approval_code):
    status, doc = upload(client, "报告.pdf", "attachment", b"%PDF-1.4 the report")
    assert (status, doc["code"], doc["msg"]) == (200, 0, "success"), doc
    code = doc["data"]["code"]
    assert httpx.get(doc["data"]["url"]).content == b"%PDF-1.4 the report"  # the upload's own URL serves it too
    _, image = upload(client, "photo.png", "image", PNG)
    form = [{"id": "files", "type": "attachmentV2", "value": [code]},
            {"id": "photo", "type": "image", "value": [image["data"]["code"]]}]
    instance = create_instance(client, approval_code, form=form)
    shown = {w["id"]: w for w in json.loads(get_instance(client, instance).form)}
    assert shown["files"]["ext"] == "'报告.pdf'" and shown["photo"]["ext"] == "'photo.png'"
    url = shown["files"]["value"][0]
    assert url != code and parse_qs(urlsplit(url).query)["x-expires"]
    got = httpx.get(url)
    assert got.status_code == 200 and got.content == b"%PDF-1.4 the report"
    assert "attachment" in got.headers["content-disposition"]
    photo = httpx.get(shown["photo"]["value"][0])
    assert (photo.status_code, photo.content, photo.headers["content-type"]) == (200, PNG, "image/png")


def test_an_image_over_10_mb_is_refused_an_attachment_is_not(client):
    big = PNG + b"\x00" * (10 * 1024 * 1024)
    status, doc = upload(client, "huge.png", "image", big)
    assert (status, doc["code"]) == (400, 1390001) and "10 MB" in doc["error"]["message"]
    status, doc = upload(client, "huge.bin", "attachment", big)
    assert (status, doc["code"]) == (200, 0)


def test_upload_refuses_what_the_page_rules_out(client, server):
    status, doc = upload(client, "notes.txt", "image", b"plain text, not an image")
    assert (status, doc["code"]) == (400, 1390001) and "image" in doc["error"]["message"]
    assert upload(client, "a.txt", "video", b"x")[1]["code"] == 1390001
    assert upload(client, "", "attachment", b"x")[1]["code"] == 1390001
    token = httpx.post(f"{server.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    answer = httpx.post(f"{server.base_url}/approval/openapi/v2/file/upload", json={"name": "a", "type": "attachment"},
                        headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()["code"]) == (400, 1390001)  # JSON is not the multipart the page takes
    assert answer.headers["X-Tt-Logid"]


def test_a_body_past_the_upload_limit_is_413(server):
    """Declared past 50 MB and its framing: refused before a byte of it is read (other paths keep 10 MiB; the
    attachment over 10 MB above passes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"POST /approval/openapi/v2/file/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 62914560\r\n\r\n")
        head = sock.recv(65536)
    assert head.startswith(b"HTTP/1.1 413"), head[:40]


def test_instance_create_checks_the_file_codes(client, approval_code):
    from lark_oapi.api.approval.v4 import CreateInstanceRequest, InstanceCreate

    def create(form):
        body = InstanceCreate.builder().approval_code(approval_code).user_id("alice").form(json.dumps(form)).build()
        return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body).build())

    unknown = create([{"id": "files", "type": "attachmentV2", "value": ["NO-SUCH-FILE"]}])
    assert unknown.code == 1390001 and "files" in unknown.error["message"]
    _, doc = upload(client, "a.pdf", "attachment", b"pdf")
    wrong = create([{"id": "photo", "type": "image", "value": [doc["data"]["code"]]}])
    assert wrong.code == 1390001 and "photo" in wrong.error["message"]


def test_a_forged_or_expired_url_is_403(client):
    _, doc = upload(client, "a.pdf", "attachment", b"secret bytes")
    url = doc["data"]["url"]
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    forged = httpx.get(base, params={"x-expires": query["x-expires"][0], "x-signature": "0" * 40})
    assert forged.status_code == 403 and b"secret" not in forged.content
    longer = httpx.get(base, params={"x-expires": str(int(query["x-expires"][0]) + 3600),
                                     "x-signature": query["x-signature"][0]})
    assert longer.status_code == 403  # the expiry is signed: moving it breaks the signature
    expired = httpx.get(base, params={"x-expires": "1000", "x-signature": query["x-signature"][0]})
    assert expired.status_code == 403
    assert httpx.get(url).content == b"secret bytes"


def test_the_page_permission_row_decides(client_for):
    """approval:approval:readonly grants the upload (cli_acme_ro holds only it); approval:approval alone does not."""
    status, doc = upload(client_for("cli_acme_ro"), "a.pdf", "attachment", b"pdf")
    assert (status, doc["code"]) == (200, 0)
    status, doc = upload(client_for("cli_acme_full"), "a.pdf", "attachment", b"pdf")
    assert doc["code"] == 99991672
