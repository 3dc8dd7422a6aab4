"""Testing with shenpi: a real server per test session, reset per test, inspected and bent through ``/_shenpi/``.

pytest (the plugin is registered on install; nothing to configure)::

    def test_submit(shenpi_server):
        client = shenpi_server.client()            # a lark_oapi.Client for the seed's first app
        ...                                        # state, clock, faults and journal were reset for this test

Plain Python::

    with shenpi.testing.run(seed) as srv:
        srv.client("cli_demo_app"); srv.advance_clock(7200); srv.fault("approval.v4.task.approve", 1395001, times=1)

``ShenpiProcess`` is the same server run as ``shenpi serve`` in a child process: PostgreSQL, several workers, https,
kill -9 and restart. See docs/testing.md.

This package is the harness: it starts a server and drives it, from above (it imports :mod:`shenpi.server`; nothing
in the product imports it). What the server plugs in to be driven — reset, faults, journal, clock — is the control
plane, :mod:`shenpi.control`.
"""

from shenpi.testing.process import ShenpiProcess
from shenpi.testing.runner import AdminCallError, ShenpiServer, forget_sdk_tokens, run

__all__ = ["AdminCallError", "ShenpiProcess", "ShenpiServer", "forget_sdk_tokens", "run"]
