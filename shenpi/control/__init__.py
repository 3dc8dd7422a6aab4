"""The control plane a test or an operator drives through ``/_shenpi/``: reset, export and import, the clock, faults
that look exactly like real answers, and the journal of calls.

:mod:`shenpi.server` installs it as the server's hooks (:class:`shenpi.hooks.ServerHooks`) only when the admin API is
on (``--admin-token``, ``--demo``, or the test harness); a server without it runs with no hooks at all. The harness
that starts servers and drives them from tests is :mod:`shenpi.testing`, above the server.
"""
