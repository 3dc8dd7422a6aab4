"""The token rules on their own: the lifetime a token reports, renewal, the bearer header, which APIs a token opens."""

from __future__ import annotations

import pytest

from shenpi.platform import tokens as rules
from shenpi.platform.errors import (
    BadTokenPrefix,
    InvalidAppToken,
    InvalidTenantToken,
    InvalidUserToken,
    NeedToken,
)

ISSUED = 1_700_000_000_000
EXPIRES = rules.expires_at(ISSUED, rules.LIFETIME_S)


def test_remaining_lifetime_is_rounded_down_so_a_client_never_outlives_the_server():
    assert rules.remaining_s(EXPIRES, ISSUED) == 7200
    assert rules.remaining_s(EXPIRES, ISSUED + 999) == 7200  # answered within the margin: still the whole lifetime
    assert rules.remaining_s(EXPIRES, ISSUED + 1000) == 7199  # 7199.999 s left: the client is told 7199
    assert rules.remaining_s(EXPIRES, EXPIRES - 999) == 0
    assert rules.remaining_s(EXPIRES, EXPIRES + 5000) == 0
    for elapsed in (0, 1, 250, 999, 1000, 1001, 3_599_999, 7_200_998):
        now = ISSUED + elapsed
        assert now + rules.remaining_s(EXPIRES, now) * 1000 <= EXPIRES
    assert EXPIRES - ISSUED < (rules.LIFETIME_S + 1) * 1000  # never a whole second longer than its lifetime


def test_a_token_is_answered_again_until_half_an_hour_is_left():
    assert rules.reusable(EXPIRES, EXPIRES - rules.RENEW_WITHIN_S * 1000)
    assert not rules.reusable(EXPIRES, EXPIRES - rules.RENEW_WITHIN_S * 1000 + 1)


def test_bearer_header():
    assert rules.bearer("Bearer t-abc") == "t-abc"
    assert rules.bearer("t-abc") == "t-abc"
    assert rules.bearer("bearer   u-xyz ") == "u-xyz"
    for missing in (None, "", "Bearer ", "Bearer   "):
        with pytest.raises(NeedToken):
            rules.bearer(missing)
    for wrong in ("Bearer ws-session", "Bearer ur-refresh", "nonsense"):
        with pytest.raises(BadTokenPrefix):
            rules.bearer(wrong)


def refusal(value: str, kind: str | None, *, expires: int = EXPIRES, user: bool = False, tenant: bool = True,
            app: bool = False) -> type | None:
    error = rules.refusal(value, kind, expires, ISSUED, accept_user=user, accept_tenant=tenant, accept_app=app)
    return None if error is None else type(error)


def test_which_token_opens_which_api():
    assert refusal("t-1", "tenant") is None
    assert refusal("t-1", None) is InvalidTenantToken
    assert refusal("u-1", None) is InvalidUserToken
    assert refusal("t-1", "tenant", expires=ISSUED) is InvalidTenantToken  # expired at this very millisecond
    assert refusal("u-1", "user") is InvalidUserToken  # a tenant-only API
    assert refusal("u-1", "user", user=True) is None
    assert refusal("t-1", "tenant", tenant=False, user=True) is InvalidTenantToken
    assert refusal("t-1", "app") is InvalidTenantToken  # an app_access_token opens only APIs that ask for one
    assert refusal("t-1", "app", app=True) is None
    assert refusal("t-1", "tenant", tenant=False, app=True) is InvalidAppToken
    error = rules.refusal("u-1", "user", EXPIRES, ISSUED, accept_user=False, accept_tenant=True, accept_app=False)
    assert error is not None and error.msg == "user access token not support"
