"""The receivers of part (g), each run as its own process so that neither shares an event loop (or the GIL) with
the load generator: every event it gets is written to stdout as one line ``<event id> <receive time, ms>``.

    python -m bench.receivers callback PORT
    python -m bench.receivers long_connection BASE_URL APP_ID APP_SECRET

``callback`` is a minimal HTTP/1.1 server on 127.0.0.1 (keep-alive, asyncio streams) that answers every POST 200
``{}`` at once: the fast receiver a delivery worker can hope for. ``long_connection`` is lark-oapi's own client
(``lark.ws.Client``), the one apps run, with a handler that only notes the event; the SDK acknowledges it when the
handler returns. Times are ``time.time()``, the same host clock shenpi stamps its outbox rows with.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


def _emit(event_id: str) -> None:
    sys.stdout.write(f"{event_id} {time.time() * 1000:.3f}\n")
    sys.stdout.flush()


def _event_id(body: bytes) -> str:
    obj: dict[str, Any] = json.loads(body)
    if isinstance(obj.get("header"), dict):
        return str(obj["header"].get("event_id", ""))
    if obj.get("type") == "url_verification":
        return ""
    return str(obj.get("uuid", ""))


async def _serve_callback(port: int) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                writer.write(answer)
                eid = _event_id(body) if body else ""
                if eid:
                    _emit(eid)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _long_connection(base_url: str, app_id: str, app_secret: str) -> None:
    import lark_oapi as lark

    def v1(data: Any) -> None:
        _emit(str(data.uuid))

    def v2(data: Any) -> None:
        _emit(str(data.header.event_id))

    builder = lark.EventDispatcherHandler.builder("", "")
    for event_type in ("approval_instance", "approval_task", "approval_cc"):
        builder = builder.register_p1_customized_event(event_type, v1)
    handler = (builder.register_p2_approval_instance_status_changed_v4(v2)
               .register_p2_approval_task_status_changed_v4(v2).build())
    client = lark.ws.Client(app_id, app_secret, event_handler=handler, domain=base_url, log_level=lark.LogLevel.ERROR)
    print("ready", flush=True)
    client.start()


def main() -> None:
    if sys.argv[1] == "callback":
        asyncio.run(_serve_callback(int(sys.argv[2])))
    else:
        _long_connection(*sys.argv[2:5])


if __name__ == "__main__":
    main()
