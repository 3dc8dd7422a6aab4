"""The approval v4 dialect (``/open-apis/approval/v4``)."""
