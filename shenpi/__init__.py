"""shenpi (审批): a self-hosted approval engine that speaks the Feishu/Lark approval API on the wire."""

__version__ = "0.1.0"
