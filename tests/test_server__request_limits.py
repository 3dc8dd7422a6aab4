"""Every path has a body limit, enforced while the body is read (413 and the Feishu envelope, the connection then
closed), and a body timeout (408); request heads have a timeout and each process a connection cap, so trickling
clients neither hold the server nor starve the others."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import GetApprovalRequest

from shenpi.testing import ShenpiProcess
from tests.conftest import start_server
from tests.seeds import test_seed

LIMIT = 64 * 1024
CAP = 20


@pytest.fixture(scope="module", params=["h11", "httptools"])  # both HTTP parsers `shenpi serve --http` takes
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("limits"), "limits", "sqlite",
                       args=["--max-body-bytes", str(LIMIT), "--body-timeout", "2", "--header-timeout", "2",
                             "--max-connections", str(CAP), "--no-events", "--http", request.param])
    yield srv
    srv.close()


def _connect(srv: ShenpiProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", srv.port), timeout=30)


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    """The whole answer (the server closes the connection after it), parsed."""
    data = b""
    sock.settimeout(30)
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


def _send_until_answered(sock: socket.socket, chunks: Iterator[bytes]) -> int:
    """Send ``chunks`` until the server starts answering; the number of body bytes sent by then."""
    sent = 0
    for chunk in chunks:
        if select.select([sock], [], [], 0.01)[0]:
            break
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(chunk)
    return sent


def _assert_refused(status: int, headers: dict[str, str], body: dict[str, object], expect: int) -> None:
    assert status == expect
    assert body["code"] == 99992402 and body["data"] == {} and body["msg"]
    assert headers["x-tt-logid"] and headers["content-type"].startswith("application/json")


def _authorization(srv: ShenpiProcess, path: str) -> str:
    if path.startswith("/_shenpi/"):
        return f"Authorization: Bearer {srv.admin_token}\r\n"
    if path.startswith("/open-apis/approval/"):
        secret = _secret("cli_acme")
        token = httpx.post(srv.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                           json={"app_id": "cli_acme", "app_secret": secret}).json()["tenant_access_token"]
        return f"Authorization: Bearer {token}\r\n"
    return ""


def _secret(app_id: str) -> str:
    return str(next(a["app_secret"] for t in test_seed()["tenants"] for a in t["apps"] if a["app_id"] == app_id))


PATHS = ["/open-apis/auth/v3/tenant_access_token/internal", "/open-apis/approval/v4/instances", "/_shenpi/import",
         "/login"]
BIG = 4 * 1024 * 1024


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_over_the_limit_is_refused_while_it_is_read(limited, path, framing):
    chunk = b"x" * 16384
    # Past the route's own checks, to the point where it reads the body (the web inbox reads forms).
    auth = _authorization(limited, path) + ("Content-Type: application/x-www-form-urlencoded\r\n"
                                            if path == "/login" else "Content-Type: application/json\r\n")
    with _connect(limited) as sock:
        if framing == "content-length":
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: t\r\n{auth}"
                         f"Content-Length: {BIG}\r\n\r\n".encode())
            # Said up front, a length over the limit is refused before a byte is read: send nothing more.
            sent = 0
        else:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: t\r\n{auth}"
                         "Transfer-Encoding: chunked\r\n\r\n".encode())
            framed = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(BIG // len(chunk)))
            sent = _send_until_answered(sock, framed)
        _assert_refused(*_read_answer(sock), 413)
    assert sent < BIG  # answered while the body was still coming: it was never read whole
    assert limited.proc is not None and limited.proc.poll() is None


def test_a_body_within_the_limit_reaches_the_endpoint(limited):
    with _connect(limited) as sock:
        sock.sendall(b"POST /open-apis/auth/v3/tenant_access_token/internal HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Length: 100\r\n\r\n" + b"{" * 100)
        status, _, body = _read_answer_first(sock)
        assert status == 200 and body["code"] == 10003  # within the limit: answered as the endpoint does


def _read_answer_first(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    data = b""
    sock.settimeout(30)
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(lines[0].split()[1]), headers, json.loads(body)


def test_a_body_that_never_arrives_times_out_with_408(limited):
    with _connect(limited) as sock:
        sock.sendall(b"POST /open-apis/auth/v3/tenant_access_token/internal HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Length: 100\r\n\r\n{\"app_id\":")
        _assert_refused(*_read_answer(sock), 408)


def _sdk_call_succeeds(srv: ShenpiProcess) -> bool:
    client = (lark.Client.builder().app_id("cli_acme").app_secret(_secret("cli_acme")).domain(srv.base_url)
              .log_level(lark.LogLevel.ERROR).build())
    resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("LEAVE").build())
    return resp.code == 0


def test_the_server_answers_normally_after_refusing(limited):
    test_a_body_over_the_limit_is_refused_while_it_is_read(limited, PATHS[0], "chunked")
    assert _sdk_call_succeeds(limited)


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_trickling_clients_are_closed_and_others_still_served(limited: ShenpiProcess):
    tricklers = []
    for _ in range(50):
        sock = _connect(limited)
        sock.sendall(b"POST /open-apis/auth/v3/tenant_access_token/internal HTTP/1.1\r\n")
        sock.setblocking(False)
        tricklers.append(sock)
    open_ones = list(tricklers)
    try:
        for _ in range(600):  # a header byte every 0.1 s: without a head timeout, held for as long as it trickles
            for sock in list(open_ones):
                if _closed_by_server(sock):
                    open_ones.remove(sock)
                    continue
                try:
                    sock.send(b"X")
                except OSError:
                    open_ones.remove(sock)
            if not open_ones:
                break
            time.sleep(0.1)
        assert not open_ones, f"{len(open_ones)} trickling connections still open"
    finally:
        for sock in tricklers:
            sock.close()
    assert _sdk_call_succeeds(limited)
