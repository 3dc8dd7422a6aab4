"""svc.people: passwords, web sessions, tenant admins and an app's event settings, on each backend."""

from __future__ import annotations

from shenpi.app import Shenpi
from shenpi.app.people import SESSION_LIFETIME_S, WebSession
from tests.app.helpers import with_app


def test_a_password_signs_in_only_its_user(db_url):
    async def body(svc: Shenpi) -> None:
        assert await svc.people.set_password("acme", "nobody", "pw") is False
        assert await svc.people.set_password("acme", "bob", "correct horse") is True
        user = await svc.people.check_password("acme", "bob", "correct horse")
        assert user is not None and user.user_id == "bob"
        assert await svc.people.check_password("acme", "bob", "wrong") is None
        assert await svc.people.check_password("acme", "carol", "correct horse") is None  # carol has none
        assert await svc.people.check_password("other", "bob", "correct horse") is None  # no bob there
        assert await svc.people.check_password("", "", "") is None

    with_app(db_url, body)


def test_a_session_lives_until_it_ends_or_expires(db_url):
    async def body(svc: Shenpi) -> None:
        secret = await svc.people.start_session("acme", "bob")
        assert await svc.people.session(secret) == WebSession("acme", "bob", "Acme", False)
        assert await svc.people.session(secret + "x") is None
        await svc.people.end_session(secret)
        assert await svc.people.session(secret) is None

        later = await svc.people.start_session("acme", "bob")
        svc.clock.advance(SESSION_LIFETIME_S - 1)
        assert await svc.people.session(later) is not None
        svc.clock.advance(1)
        assert await svc.people.session(later) is None

    with_app(db_url, body)


def test_event_settings_change_only_what_is_given(db_url):
    async def body(svc: Shenpi) -> None:
        assert await svc.people.set_app_events("cli_nope", event_url="http://x") is None
        before = await svc.people.app("cli_acme")  # cached from here on
        assert before is not None
        updated = await svc.people.set_app_events("cli_acme", event_url="http://127.0.0.1:9/events",
                                                  encrypt_key="k")
        assert updated is not None
        assert (updated.event_url, updated.encrypt_key, updated.verification_token) == \
            ("http://127.0.0.1:9/events", "k", before.verification_token)
        assert await svc.people.fresh_app("cli_acme") == updated
        assert await svc.people.app("cli_acme") == updated  # the cache forgot the old settings

    with_app(db_url, body)


def test_tenants_apps_and_admins(db_url):
    async def body(svc: Shenpi) -> None:
        assert [t.tenant_key for t in await svc.people.tenants()] == ["acme", "other", "slow"]
        assert [a.app_id for a in await svc.people.apps("other")] == ["cli_other"]
        assert not await svc.people.is_tenant_admin("acme", "bob")
        listed = await svc.people.apps_with_subscriptions("acme")
        assert {a.app_id for a, _ in listed} == {a.app_id for a in await svc.people.apps("acme")}
        assert all(codes == [] for _, codes in listed)  # nobody subscribed yet

    with_app(db_url, body)
