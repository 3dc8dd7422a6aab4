"""Self-verifying tenant and app tokens: Feishu's shape, readable by any server that knows the app, refused when
the key (secret, app id, tenant) differs or a character changed."""

from __future__ import annotations

import base64

from shenpi.platform import tokens as rules

EXPIRES = rules.expires_at(1_700_000_000_000, rules.LIFETIME_S)
KEY = rules.signing_key("cli_acme", "acme", "s3cret")


def test_a_sealed_token_has_feishus_shape_and_reads_back():
    value = rules.seal("tenant", "cli_acme", EXPIRES, KEY)
    assert value.startswith("t-") and len(value) == 42 and value[2:].isalnum()
    sealed = rules.unseal(value)
    assert sealed is not None
    assert (sealed.kind, sealed.app_tag, sealed.expires_at) == ("tenant", rules.app_tag("cli_acme"), EXPIRES)
    assert rules.sealed_by(sealed, KEY)
    assert rules.issued_at(sealed.expires_at) == 1_700_000_000_000


def test_app_tokens_are_told_from_tenant_tokens_and_each_token_is_new():
    app_token = rules.unseal(rules.seal("app", "cli_acme", EXPIRES, KEY))
    assert app_token is not None and app_token.kind == "app"
    assert rules.seal("tenant", "cli_acme", EXPIRES, KEY) != rules.seal("tenant", "cli_acme", EXPIRES, KEY)


def test_another_secret_app_or_tenant_does_not_verify():
    sealed = rules.unseal(rules.seal("tenant", "cli_acme", EXPIRES, KEY))
    assert sealed is not None
    for other in (rules.signing_key("cli_acme", "acme", "rotated"), rules.signing_key("cli_other", "acme", "s3cret"),
                  rules.signing_key("cli_acme", "globex", "s3cret")):
        assert not rules.sealed_by(sealed, other)


def test_a_changed_expiry_or_kind_does_not_verify():
    raw = bytearray(base64.b32decode(rules.seal("tenant", "cli_acme", EXPIRES, KEY)[2:]))
    for index in (0, 10):  # the kind byte (tenant → app), the expiry's last byte
        tampered = bytearray(raw)
        tampered[index] ^= 0x03 if index == 0 else 0x01
        sealed = rules.unseal("t-" + base64.b32encode(bytes(tampered)).decode())
        assert sealed is not None and not rules.sealed_by(sealed, KEY)


def test_what_is_not_a_sealed_token_reads_as_none():
    for value in ("t-0123456789abcdef", "t-" + "a" * 40, "u-" + "A" * 40, "t-" + "1" * 40,
                  "t-" + base64.b32encode(b"\x99" + b"\0" * 24).decode()):
        assert rules.unseal(value) is None
