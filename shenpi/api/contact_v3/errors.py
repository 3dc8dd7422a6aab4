"""contact v3's error codes (the user pages) and the dialect's mapping: one line per code, answered at HTTP 400."""

from __future__ import annotations

from shenpi.engine.errors import DomainError


class ContactParamInvalid(DomainError): code, msg = 40001, "invalid parameter"
class ContactUserNotFound(DomainError): code, msg = 41050, "no user authority"
class ContactUserIdInvalid(DomainError): code, msg = 41012, "user id invalid"


def contact_error(exc: DomainError) -> DomainError:
    """contact v3's mapping: its own codes pass, any other caller mistake (the contract's refusals included) is
    40001 "invalid parameter", keeping the detail and the field."""
    if isinstance(exc, (ContactParamInvalid, ContactUserNotFound, ContactUserIdInvalid)):
        return exc
    return ContactParamInvalid(exc.detail or exc.msg, field=exc.field)
