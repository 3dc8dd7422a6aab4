"""svc.sso_users: people signing in through an identity provider, found in the directory by one field or added to
it, on each backend — and a person another process added is found by this one too."""

from __future__ import annotations

import pytest

from shenpi.app import Shenpi
from shenpi.app.sso_users import UserTaken
from shenpi.store import open_store
from tests.app.helpers import with_app


def test_a_person_is_found_by_the_configured_field(db_url):
    async def body(svc: Shenpi) -> None:
        bob = (await svc.people.directory("acme")).user("bob")
        assert bob is not None
        assert await svc.sso_users.find("acme", "user_id", "bob") == bob
        assert await svc.sso_users.find("acme", "open_id", bob.open_id) == bob
        assert await svc.sso_users.find("acme", "union_id", bob.union_id) == bob
        assert await svc.sso_users.find("acme", "open_id", "bob") is None  # a user id is not an open_id
        assert await svc.sso_users.find("acme", "user_id", "") is None
        assert await svc.sso_users.find("nosuchtenant", "user_id", "bob") is None
        with pytest.raises(ValueError):
            await svc.sso_users.find("acme", "mobile", "123")

    with_app(db_url, body)


def test_emails_match_without_regard_to_case(db_url):
    async def body(svc: Shenpi) -> None:
        added = await svc.sso_users.provision("acme", user_id="pat", name="Pat", email="Pat@Example.COM")
        assert await svc.sso_users.find("acme", "email", "pat@example.com") == added
        assert await svc.sso_users.find("acme", "email", "pat@example.org") is None

    with_app(db_url, body)


def test_a_new_person_joins_the_directory_once(db_url):
    async def body(svc: Shenpi) -> None:
        user = await svc.sso_users.provision("acme", user_id="yuki", name="", email="yuki@example.com")
        assert (user.name, user.email) == ("yuki", "yuki@example.com")  # no name given: the user id
        assert user.open_id.startswith("ou_") and user.union_id.startswith("on_") and user.apaas_user_id
        assert (await svc.people.directory("acme")).user("yuki") == user
        with pytest.raises(UserTaken):
            await svc.sso_users.provision("acme", user_id="yuki", name="Another Yuki")
        with pytest.raises(UserTaken):
            await svc.sso_users.provision("acme", user_id="bob", name="Not Bob")

    with_app(db_url, body)


def test_a_person_another_process_added_is_found(db_url):
    async def body(svc: Shenpi) -> None:
        assert (await svc.people.directory("acme")).user("zoe") is None  # this process caches the directory now
        other = Shenpi(open_store(db_url))
        await other.open()
        try:
            await other.sso_users.provision("acme", user_id="zoe", name="Zoe", email="zoe@example.com")
        finally:
            await other.close()
        found = await svc.sso_users.find("acme", "email", "zoe@example.com")
        assert found is not None and found.user_id == "zoe"
        assert (await svc.people.directory("acme")).user("zoe") == found  # and the cache has her now

    with_app(db_url, body)
