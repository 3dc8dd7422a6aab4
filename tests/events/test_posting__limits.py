"""The callback poster against a real socket: the answer's status and bounded body, the whole-exchange timeout, a
refused connection, and a redirect that is not followed (Feishu counts only a 200 as delivered)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any

import pytest

from shenpi.events.posting import ANSWER_BYTES, AiohttpPoster


async def _serve(answer: bytes | None) -> tuple[asyncio.Server, str, list[bytes]]:
    """A receiver that reads one request and writes ``answer`` (None: never answers)."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        seen.append(head + await reader.readexactly(length))
        if answer is None:
            await asyncio.sleep(30)
        else:
            writer.write(answer)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/events", seen


def _run(coro: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coro)


def test_the_status_and_the_start_of_the_body_come_back() -> None:
    async def go() -> None:
        big = b"x" * (ANSWER_BYTES + 10)
        server, url, seen = await _serve(b"HTTP/1.1 500 Internal\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big))
        poster = AiohttpPoster()
        try:
            status, body = await poster(url, {"Content-Type": "application/json", "X-Lark-Request-Nonce": "n1"},
                                        b'{"a":1}', 3.0)
        finally:
            await poster.aclose()
            server.close()
        assert status == 500 and body == big[:ANSWER_BYTES]
        assert seen[0].endswith(b'{"a":1}') and b"X-Lark-Request-Nonce: n1" in seen[0]

    _run(go())


def test_a_receiver_that_does_not_answer_times_out() -> None:
    async def go() -> None:
        server, url, _ = await _serve(None)
        poster = AiohttpPoster()
        try:
            with pytest.raises(TimeoutError):
                await poster(url, {}, b"{}", 0.2)
        finally:
            await poster.aclose()
            server.close()

    _run(go())


def test_a_refused_connection_raises() -> None:
    async def go() -> None:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        poster = AiohttpPoster()
        try:
            with pytest.raises(Exception) as raised:
                await poster(f"http://127.0.0.1:{port}/events", {}, b"{}", 2.0)
            assert not isinstance(raised.value, TimeoutError)
        finally:
            await poster.aclose()

    _run(go())


def test_a_redirect_is_an_answer_not_followed() -> None:
    async def go() -> None:
        server, url, seen = await _serve(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
        poster = AiohttpPoster()
        try:
            status, _ = await poster(url, {}, b"{}", 2.0)
        finally:
            await poster.aclose()
            server.close()
        assert status == 302 and len(seen) == 1

    _run(go())


def test_proxies_come_from_the_environment_and_no_proxy_is_honoured() -> None:
    poster = AiohttpPoster({"http": "http://proxy:3128", "https": "http://proxy:3128",
                            "no": "localhost,127.0.0.1,.internal"})
    assert poster.proxy_for("https://receiver.example.com/events") == "http://proxy:3128"
    assert poster.proxy_for("http://127.0.0.1:8080/events") is None
    assert poster.proxy_for("http://hooks.internal/events") is None
    assert AiohttpPoster({}).proxy_for("https://receiver.example.com/events") is None


def test_a_push_goes_through_the_proxy_the_environment_names() -> None:
    async def go() -> None:
        # the "proxy" is our receiver: a request through a proxy carries the absolute URL on its request line
        server, proxy_url, seen = await _serve(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        poster = AiohttpPoster({"http": proxy_url.rsplit("/", 1)[0]})
        try:
            status, _ = await poster("http://receiver.example.com/events", {}, b"{}", 2.0)
        finally:
            await poster.aclose()
            server.close()
        assert status == 200 and seen[0].startswith(b"POST http://receiver.example.com/events HTTP/1.1")

    _run(go())
