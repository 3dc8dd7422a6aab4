"""Passwords for the web inbox's sign-in: hashing, verifying, and when a stored hash should be redone.

argon2id for every new hash, with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~40 ms on the 2-core
machine this targets, where argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) take ~190 ms of a core per sign-in
and per seeded user at every start. Hashes written before the switch are scrypt ("scrypt$n$r$p$salt$digest") and
keep verifying; the sign-in rehashes them on the next successful login.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2 import exceptions as argon2_exceptions

_argon2 = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH: list[str] = []


def hash_password(password: str) -> str:
    """An argon2id hash (salted, parameters inside the hash string)."""
    return _argon2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _argon2.verify(stored, password)
        except (argon2_exceptions.VerificationError, argon2_exceptions.InvalidHashError):
            return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return secrets.compare_digest(got.hex(), digest)


def password_needs_rehash(stored: str) -> bool:
    """True for a legacy scrypt hash or an argon2 hash made with weaker parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _argon2.check_needs_rehash(stored)
    except argon2_exceptions.InvalidHashError:
        return True


def dummy_hash() -> str:
    """A real argon2 hash to verify against when the user or their password does not exist, so that a wrong
    user id costs the same time as a wrong password and sign-in does not tell who exists."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]
