"""100 calls a minute per API, per app, per tenant: the 101st answers 429 / 99991400 with the ogw headers."""

from __future__ import annotations

from tests.api.helpers import apaas_reject, create_instance, fresh_minute, reject


def test_the_101st_reject_in_a_minute_is_429(client_for):
    slow = client_for("cli_slow")
    code = create_instance(slow, "SLOW", "sam")
    fresh_minute()
    answers = [reject(slow, "SLOW", code, "sue", "1", user_id_type="user_id") for _ in range(101)]
    assert [a.code for a in answers[:100]] == [1390010] * 100  # counted even when the call fails
    last = answers[100]
    assert (last.code, last.msg, last.raw.status_code) == (99991400, "request trigger frequency limit", 429)
    assert last.raw.headers["x-ogw-ratelimit-limit"] == "100"
    assert 1 <= int(last.raw.headers["x-ogw-ratelimit-reset"]) <= 60
    # per API: approve and the aPaaS reject have their own budgets
    assert apaas_reject(slow, "1", "1").code == 2320001
