"""aPaaS users and errors: users are named by their aPaaS (kunlun) id, a numeric string, and every error a
caller can cause is one code."""

from __future__ import annotations

from shenpi.api.wire import Call
from shenpi.engine.errors import DomainError


class ApaasParamInvalid(DomainError):
    """aPaaS documents one error for everything a caller gets wrong: 2320001 "param is invalid"."""

    code, msg = 2320001, "param is invalid"


def apaas_error(exc: DomainError) -> DomainError:
    """The aPaaS dialect's error mapping: any domain error is 2320001, keeping its detail and field."""
    if isinstance(exc, ApaasParamInvalid):
        return exc
    return ApaasParamInvalid(exc.detail or exc.msg, field=exc.field)


async def apaas_user(call: Call, value: str, field: str) -> str:
    """The tenant user id of the user whose aPaaS id is ``value``."""
    if not value:
        raise ApaasParamInvalid(f"{field} is required", field=field)
    if not value.isdigit():
        raise ApaasParamInvalid(f"{field} must be an aPaaS user id (a numeric string)", field=field)
    user = (await call.directory()).resolve(value, "apaas")
    if user is None:
        raise ApaasParamInvalid(f"no user has aPaaS id {value}", field=field)
    return user.user_id
