"""The Chinese of the notification pages: the bell, its list and the mail preferences (merged into i18n.ZH)."""

from __future__ import annotations

ZH_NOTIFICATIONS: dict[str, str] = {
    "Notifications": "通知",
    "{count} unread": "{count} 条未读",
    "Mark all as read": "全部标为已读",
    "Notification settings": "通知设置",
    "Unread:": "未读：",
    "Nothing to tell you yet.": "暂无通知。",
    "Every notification appears under the bell. Choose which also come by mail, at once or in a daily digest.":
        "所有通知都会显示在铃铛下。请选择哪些通知同时发送邮件：立即发送，或每日汇总发送。",
    "Saved.": "已保存。",
    "Not saved:": "未保存：",
    "When": "何时",
    "Daily digest at (HH:MM)": "每日汇总时间（时:分）",
    "Time zone": "时区",
    "Mail language": "邮件语言",
    "Save": "保存",
    "A task is assigned to me": "有审批任务分配给我",
    "A task is transferred to me": "有审批任务转交给我",
    "My request is approved": "我的申请已通过",
    "My request is rejected": "我的申请被拒绝",
    "My request is sent back to me": "我的申请被退回",
    "A request is CC'd to me": "有审批抄送给我",
    "I am @mentioned in a comment": "有人在评论中 @ 我",
    "My request gets a comment": "我的申请收到评论",
    "I am reminded of a pending task": "有人催办我的待办",
    "Mail at once": "立即发邮件",
    "Daily digest": "每日汇总",
    "No mail": "不发邮件",
    "Pages": "分页",
}
