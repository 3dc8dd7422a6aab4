"""Exports leave secrets out unless asked for; importing such an export keeps the target's own secrets, refuses a
new app whose secret it cannot know, and gives a new user no password."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from shenpi.app import Shenpi
from shenpi.app.snapshots import SnapshotError
from shenpi.seed import SeedError, apply_seed
from tests.app.helpers import with_app
from tests.seeds import test_seed

ENCRYPT_KEY, VERIFICATION_TOKEN = "ek-never-exported", "vt-never-exported"


async def _secrets(svc: Shenpi) -> dict[str, str]:
    """Seeds event keys, sets a password, issues a token and an OAuth code; returns each secret by name."""
    seed = test_seed()
    seed["tenants"][1]["apps"][0].update(encrypt_key=ENCRYPT_KEY, verification_token=VERIFICATION_TOKEN)
    await apply_seed(svc, seed)
    assert await svc.people.set_password("acme", "bob", "bob-password")
    app = await svc.people.app("cli_acme")
    assert app is not None
    token = await svc.tokens.issue(app, "tenant")
    code = await svc.tokens.issue(app, "code", "bob", reuse=False)
    async with svc.store.transaction() as tx:
        password_hash = await tx.password_hash("acme", "bob")
    assert password_hash
    return {"app_secret": "s3cret", "encrypt_key": ENCRYPT_KEY, "verification_token": VERIFICATION_TOKEN,
            "password_hash": password_hash, "token": token.token, "oauth_code": code.token}


def _rows(snapshot: dict[str, Any], table: str) -> list[dict[str, Any]]:
    t = snapshot["shenpi_snapshot"]["tables"][table]
    return [dict(zip(t["columns"], r, strict=True)) for r in t["rows"]]


def test_an_export_has_no_secret_unless_asked_for(db_url):
    async def body(svc: Shenpi) -> None:
        secrets = await _secrets(svc)
        redacted = await svc.snapshots.export()
        text = json.dumps(redacted)
        assert [name for name, value in secrets.items() if value in text] == []
        assert redacted["shenpi_snapshot"]["secrets"] == "redacted"
        assert "tokens" not in redacted["shenpi_snapshot"]["tables"]
        acme = next(a for a in _rows(redacted, "apps") if a["app_id"] == "cli_acme")
        assert acme["app_secret"] == {"$redacted": True}
        assert acme["encrypt_key"] == ""  # an empty key is no secret: it travels as it is

        full = json.dumps(await svc.snapshots.export(include_secrets=True))
        assert [name for name, value in secrets.items() if value not in full] == []

    with_app(db_url, body, seeded=False)


def test_a_redacted_export_imports_over_the_same_apps_and_users_keeping_their_secrets(db_url):
    async def body(svc: Shenpi) -> None:
        secrets = await _secrets(svc)
        redacted = await svc.snapshots.export()
        answer = await svc.snapshots.import_snapshot(redacted)
        assert answer["tables"]["apps"] == len(await svc.people.apps()) > 1
        app = await svc.tokens.app_for_secret("cli_acme", "s3cret")
        assert not isinstance(app, str)
        assert await svc.people.check_password("acme", "bob", "bob-password") is not None
        assert await svc.tokens.lookup(secrets["token"], "tenant") is not None  # issued tokens stay valid
        other = await svc.people.app("cli_other")
        assert other is not None and (other.encrypt_key, other.verification_token) == (ENCRYPT_KEY, VERIFICATION_TOKEN)

    with_app(db_url, body, seeded=False)


def test_a_redacted_export_cannot_bring_a_new_app_and_changes_nothing(db_url):
    async def body(svc: Shenpi) -> None:
        await _secrets(svc)
        redacted = await svc.snapshots.export()
        await svc.snapshots.restore({})
        with pytest.raises(SnapshotError, match=r"table apps, app_id cli_acme: app_secret was redacted.*"
                                                r"--include-secrets"):
            await svc.snapshots.import_snapshot(redacted)
        assert await svc.people.tenants() == []

    with_app(db_url, body, seeded=False)


def test_a_new_user_from_a_redacted_export_has_no_password_until_one_is_set(db_url):
    async def body(svc: Shenpi) -> None:
        await _secrets(svc)
        redacted = await svc.snapshots.export()
        without_bob = copy.deepcopy(await svc.snapshots.export(include_secrets=True))
        users = without_bob["shenpi_snapshot"]["tables"]["users"]
        user_id, tenant = users["columns"].index("user_id"), users["columns"].index("tenant_key")
        users["rows"] = [r for r in users["rows"] if (r[tenant], r[user_id]) != ("acme", "bob")]
        await svc.snapshots.import_snapshot(without_bob)
        await svc.snapshots.import_snapshot(redacted)
        assert await svc.people.check_password("acme", "bob", "bob-password") is None
        assert await svc.people.set_password("acme", "bob", "new-password")
        assert await svc.people.check_password("acme", "bob", "new-password") is not None

    with_app(db_url, body, seeded=False)


def test_a_redacted_export_is_no_seed(db_url):
    async def body(svc: Shenpi) -> None:
        await _secrets(svc)
        redacted = await svc.snapshots.export()
        with pytest.raises(SeedError, match=r"tenants\[0\]\.apps\[0\]\.app_secret: was redacted"):
            await apply_seed(svc, redacted)

    with_app(db_url, body, seeded=False)
