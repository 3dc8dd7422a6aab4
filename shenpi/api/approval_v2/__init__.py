"""The approval openapi v2 file upload: the one endpoint of the older ``/approval/openapi/v2/`` path that Feishu's
approval v4 pages still send clients to (files for attachment and image widgets)."""

from shenpi.api.approval_v2.files import ROUTES, UPLOAD_MAX_BODY_BYTES, UPLOAD_PATH, download_app

__all__ = ["ROUTES", "UPLOAD_MAX_BODY_BYTES", "UPLOAD_PATH", "download_app"]
