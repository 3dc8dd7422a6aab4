"""crypto: the event signature is sha256 hex of timestamp + nonce + Encrypt Key + the exact body bytes, checked
against a vector observed from Feishu; and encryption both SDKs' decryptors accept."""

from __future__ import annotations

import base64
import json

import pytest
from lark_oapi.core.utils import AESCipher

from shenpi.events import crypto


def test_signature_matches_the_observed_vector() -> None:
    sig = crypto.signature("1700000000", "abcdef", "test_encrypt_key_123", b'{"encrypt":"XXXX"}')
    assert sig == "9d511c0e56fbdfeec3312a35afeee02afadeaff76dde1ac7cf977f988ac9fed1"


def test_signature_covers_the_exact_body_bytes() -> None:
    a = crypto.signature("1", "n", "k", b'{"a":1}')
    assert a != crypto.signature("1", "n", "k", b'{"a": 1}')
    assert a != crypto.signature("1", "n", "k2", b'{"a":1}')


@pytest.mark.parametrize("text", ["", "x", "0123456789abcdef", '{"challenge":"c","type":"url_verification"}', "审批" * 40])
def test_lark_oapi_decrypts_what_we_encrypt(text: str) -> None:
    enc = crypto.encrypt("test_encrypt_key_123", text.encode())
    assert AESCipher("test_encrypt_key_123").decrypt_str(enc) == text
    assert crypto.decrypt("test_encrypt_key_123", enc) == text.encode()


def test_layout_is_iv_then_ciphertext_and_iv_is_random() -> None:
    iv = bytes(range(16))
    raw = base64.b64decode(crypto.encrypt("k", b"hello", iv=iv))
    assert raw[:16] == iv and len(raw) == 32  # one padded block after the iv
    assert crypto.encrypt("k", b"hello") != crypto.encrypt("k", b"hello")


def test_aes_key_is_sha256_of_the_encrypt_key() -> None:
    import hashlib

    assert crypto.aes_key("abc") == hashlib.sha256(b"abc").digest()


def test_wrong_key_fails_to_decrypt() -> None:
    enc = crypto.encrypt("right", b'{"x":1}')
    with pytest.raises(ValueError):
        crypto.decrypt("wrong", enc)


def test_seal_is_compact_and_plain_without_a_key() -> None:
    assert crypto.seal(b'{"a":1}', "") == b'{"a":1}'
    sealed = crypto.seal(b'{"a":1}', "k")
    assert sealed.startswith(b'{"encrypt":"') and b" " not in sealed
    assert crypto.decrypt("k", json.loads(sealed)["encrypt"]) == b'{"a":1}'


def test_dumps_matches_javascript_json_stringify() -> None:
    # compact separators, UTF-8 kept as is, "/" not escaped, control characters as lower-case \\u escapes
    assert crypto.dumps({"a": [1, "审批/x"], "b": "\x1f\n"}) == '{"a":[1,"审批/x"],"b":"\\u001f\\n"}'.encode()
