"""``with shenpi.testing.run(seed) as srv:`` — the same server without pytest fixtures (docs/testing.md)."""

from __future__ import annotations

import unittest

import shenpi.testing
from tests.testing.helpers import get_approval, get_instance, submit_leave


def test_run_starts_a_seeded_server_and_stops_it():
    seed = {"tenants": [{"tenant_key": "t", "apps": [{"app_id": "cli_t", "app_secret": "s",
                                                      "scopes": ["approval:approval"]}]}]}
    with shenpi.testing.run(seed) as srv:
        base_url = srv.base_url
        assert srv.app_ids() == ["cli_t"]
        assert get_approval(srv.client()).code == 1390002  # a real server, with nothing but the seed in it
    import httpx

    try:
        httpx.get(base_url + "/healthz", timeout=1)
        raise AssertionError("the server still answers after the block")
    except httpx.HTTPError:
        pass


def test_run_defaults_to_the_demo_seed():
    with shenpi.testing.run() as srv:
        assert get_approval(srv.client("cli_demo_app")).data.approval_name == "Leave request"


class LeaveTests(unittest.TestCase):
    """The unittest recipe: one server for the class, a reset before each test."""

    srv: shenpi.testing.ShenpiServer

    @classmethod
    def setUpClass(cls) -> None:
        cls._server = shenpi.testing.run()  # the demo seed
        cls.srv = cls._server.__enter__()

    @classmethod
    def tearDownClass(cls) -> None:
        cls._server.__exit__(None, None, None)

    def setUp(self) -> None:
        self.srv.reset()
        self.client = self.srv.client()

    def test_submit(self) -> None:
        code = submit_leave(self.client)
        self.assertEqual(get_instance(self.client, code).data.status, "PENDING")

    def test_state_from_the_other_test_is_gone(self) -> None:
        self.assertEqual(self.srv.outbox(), [])
