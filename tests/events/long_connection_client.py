"""A lark-oapi long-connection client, run as its own process by the tests (``lark.ws.Client.start()`` blocks for
ever on a module-level event loop): every approval event its EventDispatcherHandler receives is printed to stdout
as one JSON line, flushed at once.

    python tests/events/long_connection_client.py DOMAIN APP_ID APP_SECRET [--die-after N] [--handle-s S]

``--die-after N``: on the Nth event, print it and exit at once, before the SDK answers it (a client killed
mid-stream). ``--handle-s``: how long handling each event takes. A refused start prints ``{"error": code, "msg"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import lark_oapi as lark
from lark_oapi.core.json import JSON
from lark_oapi.ws.exception import ClientException

seen = 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("domain")
    parser.add_argument("app_id")
    parser.add_argument("app_secret")
    parser.add_argument("--die-after", type=int, default=0)
    parser.add_argument("--handle-s", type=float, default=0.0)
    args = parser.parse_args()

    def emit(event_type: str, event_id: str, event: dict[str, Any]) -> None:
        global seen
        seen += 1
        print(json.dumps({"type": event_type, "id": event_id, "instance": event.get("instance_code", ""),
                          "status": event.get("status", ""), "event": event}), flush=True)
        if args.die_after and seen >= args.die_after:
            os._exit(3)  # as killed: the SDK never answers this event
        if args.handle_s:
            time.sleep(args.handle_s)

    def v1(data: lark.CustomizedEvent) -> None:
        emit(data.event["type"], data.uuid, data.event)

    def v2(data: Any) -> None:
        emit(data.header.event_type, data.header.event_id, json.loads(JSON.marshal(data.event)))

    builder = lark.EventDispatcherHandler.builder("", "")
    for event_type in ("approval_instance", "approval_task", "approval_cc"):
        builder = builder.register_p1_customized_event(event_type, v1)
    handler = (builder.register_p2_approval_approval_updated_v4(v2)
               .register_p2_approval_instance_status_changed_v4(v2)
               .register_p2_approval_task_status_changed_v4(v2).build())
    client = lark.ws.Client(args.app_id, args.app_secret, event_handler=handler, domain=args.domain,
                            log_level=lark.LogLevel.INFO)
    try:
        client.start()
    except ClientException as e:
        print(json.dumps({"error": e.code, "msg": str(e).split(": ", 1)[-1]}), flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
