"""When descriptors run out, asyncio reports every failed accept(); served with shenpi's protocol, the log gets one
line per interval (with a count of the rest), not one per attempt."""

from __future__ import annotations

import asyncio
import errno
import logging

import shenpi.cli.http_guard  # noqa: F401  (installs the filter, as uvicorn's workers importing the protocol do)


def test_a_flood_of_accept_errors_logs_one_line(caplog):
    async def flood() -> None:
        loop = asyncio.get_running_loop()
        for _ in range(1000):
            loop.call_exception_handler({"message": "socket.accept() out of system resource",
                                         "exception": OSError(errno.EMFILE, "Too many open files")})
        loop.call_exception_handler({"message": "something else went wrong"})

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(flood())
    accept = [r for r in caplog.records if "accept()" in r.getMessage()]
    assert len(accept) <= 1 and all(r.exc_info is None for r in accept)
    assert any("something else" in r.getMessage() for r in caplog.records)  # other errors are not held back
