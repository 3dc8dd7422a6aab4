"""The OpenID Connect ID token check: a token is taken only when signed by one of the issuer's keys and made for
this client, by this issuer, for this sign-in (its nonce), and not expired."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from shenpi.web.sso_clients import SsoFailure, _validated

ISSUER, CLIENT, NONCE = "https://idp.example", "shenpi", "n-0123456789"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = KeySet([KEY])


def _token(key: RSAKey = KEY, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": CLIENT, "sub": "u-1", "nonce": NONCE, "iat": now, "exp": now + 300, **claims}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, {k: v for k, v in body.items() if v is not None}, key)


def test_a_token_of_this_sign_in_is_taken():
    claims = _validated(_token(email="a@x.example"), KEYS, ISSUER, CLIENT, NONCE)
    assert claims["sub"] == "u-1" and claims["email"] == "a@x.example"
    assert _validated(_token(aud=[CLIENT, "other"]), KEYS, ISSUER, CLIENT, NONCE)["sub"] == "u-1"


@pytest.mark.parametrize("token", [
    pytest.param(lambda: _token(OTHER_KEY), id="signed by another key"),
    pytest.param(lambda: _token(nonce="n-of-another-sign-in"), id="another sign-in's nonce"),
    pytest.param(lambda: _token(nonce=None), id="no nonce"),
    pytest.param(lambda: _token(aud="another-client"), id="for another client"),
    pytest.param(lambda: _token(iss="https://evil.example"), id="another issuer"),
    pytest.param(lambda: _token(exp=int(time.time()) - 3600), id="expired"),
    pytest.param(lambda: _token(sub=None), id="no subject"),
    pytest.param(lambda: _token()[:-10] + "AAAAAAAAAA", id="a changed signature"),
    pytest.param(lambda: "not.a.jwt", id="not a JWT"),
    pytest.param(lambda: None, id="no ID token"),
])
def test_any_other_token_is_refused_with_a_reason(token):
    with pytest.raises(SsoFailure, match="ID token"):
        _validated(token(), KEYS, ISSUER, CLIENT, NONCE)
