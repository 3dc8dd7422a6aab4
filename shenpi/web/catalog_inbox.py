"""The Chinese of the inbox's own strings: its rows, search, filters and bulk approval, the after-acting flow of the
instance page, and the messages of the widget settings the web form checks (shenpi/web/field_rules.py)."""

from __future__ import annotations

ZH_INBOX: dict[str, str] = {
    # the rows
    "At step: {step}": "当前节点：{step}",
    "waiting {duration}": "已等待 {duration}",
    "{n} min": "{n} 分钟",
    "{n} h": "{n} 小时",
    "{n} d": "{n} 天",
    # search, filters and sorting
    "Search words in the form, comments, title or serial number": "搜索表单内容、评论、标题或编号",
    "Filters and sorting": "筛选和排序",
    "Anyone": "任何人",
    "Submitted from": "提交日期从",
    "Submitted until": "提交日期至",
    "Read or unread": "已读或未读",
    "Sort": "排序",
    "Newest first": "最新的在前",
    "Oldest first": "最早的在前",
    "Apply filters": "应用筛选",
    "Nothing matches these filters.": "没有符合筛选条件的内容。",
    # bulk approval
    "Select “{title}”": "选择“{title}”",
    "Approve the selected tasks": "同意所选任务",
    "Comment for all of them (optional)": "给所有任务的意见（可选）",
    "Approve selected": "同意所选",
    "Select at least one task to approve.": "请至少选择一个要同意的任务。",
    "Approved {done} of {asked}.": "已同意 {asked} 个中的 {done} 个。",
    "Not approved": "未同意",
    # after acting
    "Then go to my next task": "完成后前往我的下一个任务",
    "Open the request you just acted on": "打开刚才处理的申请",
    "Back to the inbox": "返回收件箱",
    "Approved. This is your next task.": "已同意。这是你的下一个任务。",
    "Rejected. This is your next task.": "已拒绝。这是你的下一个任务。",
    "Transferred. This is your next task.": "已转交。这是你的下一个任务。",
    "Rolled back. This is your next task.": "已退回。这是你的下一个任务。",
    "Approved. No more tasks are waiting for you.": "已同意。没有等待你处理的任务了。",
    "Rejected. No more tasks are waiting for you.": "已拒绝。没有等待你处理的任务了。",
    "Transferred. No more tasks are waiting for you.": "已转交。没有等待你处理的任务了。",
    "Rolled back. No more tasks are waiting for you.": "已退回。没有等待你处理的任务了。",
    # what a widget's settings forbid
    "{label}: must not be negative.": "{label}：不能为负数。",
    "{label}: must be at least {limit}.": "{label}：不能小于 {limit}。",
    "{label}: must be at most {limit}.": "{label}：不能大于 {limit}。",
    "{label}: must be a whole number.": "{label}：必须是整数。",
    "{label}: at most {places} decimal places.": "{label}：最多 {places} 位小数。",
    "{label}: choose one of the currencies {currencies}.": "{label}：请选择以下币种之一：{currencies}。",
    "{label}: at most {n} characters.": "{label}：最多 {n} 个字符。",
    "{label}: at least {n} characters.": "{label}：至少 {n} 个字符。",
}
