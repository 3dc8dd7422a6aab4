"""authen v1's error codes (the OIDC and v1 token pages, user_info): one line per code, answered at HTTP 200."""

from __future__ import annotations

from shenpi.engine.errors import DomainError


class AuthenError(DomainError):
    """authen v1's codes come at HTTP 200, the error in the body alone."""

    http_status = 200


class InvalidRequest(AuthenError): code, msg = 20001, "invalid request"
class CodeInvalid(AuthenError): code, msg = 20003, "invalid code"
class CodeExpired(AuthenError): code, msg = 20004, "code expired"
class NoUserToken(AuthenError): code, msg = 20007, "failed to generate user access token"
class UserGone(AuthenError): code, msg = 20008, "user not exist"
class UserResigned(AuthenError): code, msg = 20021, "user resigned"
class UserFrozen(AuthenError): code, msg = 20022, "user frozen"
class UserNotRegistered(AuthenError): code, msg = 20023, "user not registered"
class GrantOfAnotherApp(AuthenError): code, msg = 20024, "the grant and the app do not match"
class RefreshTokenInvalid(AuthenError): code, msg = 20026, "invalid refresh token"
class GrantTypeUnsupported(AuthenError): code, msg = 20036, "grant_type not supported"
class RefreshTokenExpired(AuthenError): code, msg = 20037, "refresh token expired"
class RefreshTokenNotFound(AuthenError): code, msg = 20038, "refresh token not found"
class AppDisabled(AuthenError): code, msg = 20042, "app is disabled"
