"""Encryption and signing of event pushes, as Feishu does them (docs/feishu-behaviour.md, "Event encryption").

The receiving SDKs decrypt ``{"encrypt": base64(iv ‖ AES-256-CBC(sha256(key), iv, PKCS7(plaintext)))}`` and check
``X-Lark-Signature = hex(sha256(timestamp + nonce + encrypt_key + raw_body))``. The signature covers the exact
bytes on the wire, so callers must sign the same bytes they send.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK_BITS = 128  # AES block size, for PKCS7


def dumps(obj: Any) -> bytes:
    """Compact JSON with non-ASCII kept as UTF-8: byte-identical to JavaScript's ``JSON.stringify``.

    The Node SDK re-serializes the parsed body before checking the signature, so any other spacing or
    escaping would make its check fail even though the bytes we signed were the bytes we sent.
    """
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def aes_key(encrypt_key: str) -> bytes:
    """The 32-byte AES-256 key both SDKs derive from an app's Encrypt Key."""
    return hashlib.sha256(encrypt_key.encode("utf-8")).digest()


def encrypt(encrypt_key: str, plaintext: bytes, iv: bytes | None = None) -> str:
    """base64(iv ‖ ciphertext); ``iv`` is random unless given (only tests pin it)."""
    iv = os.urandom(16) if iv is None else iv
    if len(iv) != 16:
        raise ValueError("iv must be 16 bytes")
    padder = padding.PKCS7(_BLOCK_BITS).padder()
    padded = padder.update(plaintext) + padder.finalize()
    enc = Cipher(algorithms.AES(aes_key(encrypt_key)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(padded) + enc.finalize()).decode("ascii")


def decrypt(encrypt_key: str, encrypted: str) -> bytes:
    """Inverse of :func:`encrypt`; raises ``ValueError`` on a wrong key (bad padding) or malformed input."""
    raw = base64.b64decode(encrypted)
    if len(raw) < 32 or len(raw) % 16:
        raise ValueError("encrypted payload has a wrong length")
    dec = Cipher(algorithms.AES(aes_key(encrypt_key)), modes.CBC(raw[:16])).decryptor()
    padded = dec.update(raw[16:]) + dec.finalize()
    unpadder = padding.PKCS7(_BLOCK_BITS).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """``X-Lark-Signature``: the key sits between the nonce and the body, all concatenated without separators."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def seal(plaintext: bytes, encrypt_key: str) -> bytes:
    """The body to POST: the event itself without a key, ``{"encrypt": ...}`` with one."""
    if not encrypt_key:
        return plaintext
    return dumps({"encrypt": encrypt(encrypt_key, plaintext)})
