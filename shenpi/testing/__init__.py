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

Two sides live here. The harness (``plugin``, ``process``, ``runner``) starts a server and drives it. The control
plane (``admin_api``, ``control``, ``faults``, ``journal``) is what ``shenpi.server`` plugs in through its
hooks when the admin API is on. The server imports the control plane, so this module's own imports stay light, and
the harness imports the server only inside ``run``.
"""

from shenpi.testing.process import ShenpiProcess
from shenpi.testing.runner import AdminCallError, ShenpiServer, forget_sdk_tokens, run

__all__ = ["AdminCallError", "ShenpiProcess", "ShenpiServer", "forget_sdk_tokens", "run"]
