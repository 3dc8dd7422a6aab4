"""Domain errors, one small class per Feishu approval error code.

Each class carries the wire code, the documented message and the HTTP status Feishu answers with, so the
API layer renders them without a lookup table. ``detail`` names the offending field for humans; it goes into
the envelope's ``error`` object and never replaces the documented ``msg``.
"""

from __future__ import annotations


class DomainError(Exception):
    code: int = 1395001
    msg: str = "There have been some errors. Please try again later"
    http_status: int = 400

    def __init__(self, detail: str = "", field: str = "") -> None:
        super().__init__(detail or self.msg)
        self.detail = detail
        self.field = field


class ParamInvalid(DomainError): code, msg = 1390001, "param is invalid"
class ApprovalNotFound(DomainError): code, msg = 1390002, "approval code not found"
class InstanceNotFound(DomainError): code, msg = 1390003, "instance code not found"
class UserNotFound(DomainError): code, msg = 1390004, "user_id or open_id not found"
class SubscriptionExisted(DomainError): code, msg = 1390007, "subscription existed"
class NoOperationPermission(DomainError): code, msg, http_status = 1390009, "no operation permission", 403
class TaskNotFound(DomainError): code, msg = 1390010, "task not found"
class ApprovalNotActive(DomainError): code, msg = 1390015, "approval is not active"
class ApprovalDeleted(DomainError): code, msg = 1390016, "approval is deleted"
class HandwrittenSignatureRequired(DomainError): code, msg = 1390018, "not support handwritten signature"
class InternalError(DomainError): code, msg = 1395001, "There have been some errors. Please try again later"
class InstanceReverted(DomainError): code, msg = 1395210, "Instance has been reverted"
class UuidConflict(DomainError): code, msg = 60012, "uuid conflict"
