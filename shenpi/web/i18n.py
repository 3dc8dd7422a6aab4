"""Chinese and English for the web pages: English source strings, a Chinese catalogue keyed by them.

English is the key so templates read naturally and a missing translation shows English rather than an id.
``tests/web`` checks that every string the templates and views ask for has a Chinese entry.
"""

from __future__ import annotations

from typing import Any

from shenpi.web.catalog_designer import ZH_DESIGNER
from shenpi.web.catalog_inbox import ZH_INBOX
from shenpi.web.catalog_notifications import ZH_NOTIFICATIONS
from shenpi.web.catalog_people import ZH_PEOPLE
from shenpi.web.catalog_sso import ZH_SSO

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
LOCALES = {"en": "en-US", "zh": "zh-CN"}  # the definitions' i18n_resources locales
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def from_accept_language(header: str) -> str:
    """Chinese when the browser's first choice is any Chinese, else English."""
    first = header.split(",", 1)[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def translate(lang: str, key: str, **kw: Any) -> str:
    text = ZH.get(key, key) if lang == "zh" else key
    return text.format(**kw) if kw else text


# Statuses as the API names them → what a person reads.
INSTANCE_STATUS = {"PENDING": "In progress", "APPROVED": "Approved", "REJECTED": "Rejected",
                   "CANCELED": "Canceled", "DELETED": "Deleted", "REVERTED": "Reverted"}
TASK_STATUS = {"PENDING": "Waiting", "APPROVED": "Approved", "REJECTED": "Rejected", "TRANSFERRED": "Transferred",
               "DONE": "Closed", "AUTO_PASS": "Passed automatically", "AUTO_REJECT": "Rejected automatically"}
NODE_TYPE = {"AND": "Everyone must approve", "OR": "Any one approves", "SEQUENTIAL": "One after another",
             "CC_NODE": "CC"}

ZH: dict[str, str] = {
    # layout
    "Skip to content": "跳到正文",
    "Inbox": "收件箱",
    "Start a request": "发起申请",
    "Admin": "管理",
    "Sign out": "退出登录",
    "Switch user": "切换用户",
    "Language": "语言",
    "Main": "主导航",
    "Signed in as {name} ({tenant})": "当前用户：{name}（{tenant}）",
    "shenpi — approvals": "shenpi 审批",
    # sign-in
    "Sign in": "登录",
    "Tenant": "租户",
    "User ID": "用户 ID",
    "Password": "密码",
    "Wrong tenant, user or password.": "租户、用户或密码错误。",
    "Too many failed attempts. Wait a minute and try again.": "失败次数过多，请一分钟后再试。",
    "Demo mode: pick who you are.": "演示模式：选择你的身份。",
    "Sign in as {name}": "以 {name} 身份登录",
    "Or sign in with a password": "或使用密码登录",
    "You have been signed out.": "你已退出登录。",
    "Please sign in first.": "请先登录。",
    "The form has expired or did not come from this site. Reload the page and try again.":
        "表单已过期或并非来自本站。请刷新页面后重试。",
    "The form could not be read.": "无法读取表单。",
    "Only the app's admins may open this page.": "只有应用管理员可以打开此页面。",
    "Sign-in by user switcher is only available in demo mode.": "仅演示模式可通过切换用户登录。",
    # inbox
    "To do": "待办",
    "Done": "已办",
    "Started by me": "我发起的",
    "CC'd to me": "抄送我的",
    "Search": "搜索",
    "Search title, serial number, code or approval name": "搜索标题、编号、实例 code 或审批名称",
    "Nothing here.": "这里还没有内容。",
    "No results for “{q}”.": "没有找到“{q}”的结果。",
    "Clear search": "清除搜索",
    "Page {page} of {pages}": "第 {page} / {pages} 页",
    "Previous": "上一页",
    "Next": "下一页",
    "Pagination": "分页",
    "Submitted by {name}": "{name} 提交",
    "Serial {serial}": "编号 {serial}",
    "Unread": "未读",
    "Read": "已读",
    "All": "全部",
    "Lists": "列表",
    "Total: {count}": "共 {count} 条",
    "Waiting for you at {node}": "在「{node}」等待你处理",
    "Handed back to you: edit and resubmit": "已退回给你：修改后重新提交",
    "You {status} at {node}": "你在「{node}」{status}",
    "CC'd by {name}": "{name} 抄送",
    "CC'd by the process": "流程自动抄送",
    # statuses
    "In progress": "审批中",
    "Approved": "已通过",
    "Rejected": "已拒绝",
    "Canceled": "已撤回",
    "Deleted": "已删除",
    "Reverted": "已撤销",
    "Waiting": "待处理",
    "Transferred": "已转交",
    "Closed": "已关闭",
    "Passed automatically": "自动通过",
    "Rejected automatically": "自动拒绝",
    "Everyone must approve": "会签（需全部同意）",
    "Any one approves": "或签（一人同意即可）",
    "One after another": "依次审批",
    "CC": "抄送",
    "approved": "同意了",
    "rejected": "拒绝了",
    "transferred": "转交了",
    # instance page
    "Request": "申请",
    "Status": "状态",
    "Submitter": "发起人",
    "Department": "部门",
    "Submitted": "提交时间",
    "Finished": "完成时间",
    "Serial number": "审批编号",
    "Instance code": "实例 code",
    "Form": "表单",
    "Process": "流程",
    "Timeline": "动态",
    "Actions": "操作",
    "Start": "发起",
    "End": "结束",
    "now": "当前",
    "not reached": "未到达",
    "Skipped": "已跳过",
    "Waiting for the submitter to resubmit": "等待发起人重新提交",
    "Nobody to approve": "无审批人",
    "Approvers are chosen at submission": "审批人由发起人选择",
    "(empty)": "（空）",
    "{days} days": "{days} 天",
    "{n} file(s) attached": "已附 {n} 个文件",
    "This field cannot be shown here.": "此控件无法在这里显示。",
    "Comment": "评论",
    "Approve": "同意",
    "Reject": "拒绝",
    "Transfer": "转交",
    "Add approver": "加签",
    "Roll back": "退回",
    "Cancel": "撤回",
    "Resubmit": "重新提交",
    "Transfer to": "转交给",
    "People to add": "加签人",
    "Where": "加签方式",
    "Before me (they approve first, then me)": "向前加签（他们先审批，再由我审批）",
    "After me (I approve now, then they approve)": "向后加签（我现在同意，然后他们审批）",
    "Alongside me": "并加签（与我同时审批）",
    "How they approve": "审批方式",
    "Any one of them": "或签（任一人同意）",
    "All of them": "会签（全部同意）",
    "Roll back to": "退回到",
    "CC to": "抄送给",
    "Type to filter people": "输入以筛选人员",
    "Filter": "筛选",
    "Approve or reject with an optional comment. Transfer, add approvers or roll back below.":
        "填写评论（可选）后同意或拒绝；也可以在下方转交、加签或退回。",
    "This node needs a handwritten signature, which the web inbox cannot take: approve or reject it in Feishu.":
        "此节点需要手写签名，网页收件箱无法签名：请在飞书中处理。",
    "Handed back to you. Edit the form and resubmit, or cancel the request.":
        "申请已退回给你。修改表单后重新提交，或撤回申请。",
    "Cancel this request": "撤回这条申请",
    "Revert this approved request": "撤销这条已通过的申请",
    "You have no action on this request right now.": "你目前对这条申请没有可执行的操作。",
    "Add a comment, or CC someone.": "添加评论，或抄送给他人。",
    "Edit and resubmit": "修改并重新提交",
    "Approved.": "已同意。",
    "Rejected.": "已拒绝。",
    "Transferred.": "已转交。",
    "Approvers added.": "已加签。",
    "Rolled back.": "已退回。",
    "CC sent.": "已抄送。",
    "Comment added.": "已评论。",
    "Canceled.": "已撤回。",
    "Resubmitted.": "已重新提交。",
    "Submitted.": "已提交。",
    "Write a comment first.": "请先填写评论。",
    "Choose who to transfer to.": "请选择转交人。",
    "Choose who to add.": "请选择加签人。",
    "Choose where to roll back to.": "请选择退回的节点。",
    "Choose who to CC.": "请选择抄送人。",
    "Unknown action.": "未知操作。",
    "submitted": "提交了申请",
    "resubmitted": "重新提交了申请",
    "passed automatically (no approver)": "自动通过（无审批人）",
    "rejected automatically (no approver)": "自动拒绝（无审批人）",
    "transferred to {users}": "转交给 {users}",
    "added approvers before themself: {users}": "向前加签 {users}",
    "approved and added approvers after: {users}": "同意并向后加签 {users}",
    "added approvers alongside: {users}": "并加签 {users}",
    "rolled back": "退回了申请",
    "canceled": "撤回了申请",
    "reverted": "撤销了申请",
    "CC'd {users}": "抄送了 {users}",
    "commented": "发表了评论",
    "The process": "流程",
    "(comment deleted)": "（评论已删除）",
    "Request not found.": "找不到这条申请。",
    "You are not part of this request.": "你不是这条申请的相关人员。",
    "Page not found.": "页面不存在。",
    "Something went wrong": "出错了",
    "Back to the inbox": "返回收件箱",
    # start
    "Choose what to request.": "选择要发起的审批。",
    "No approval is open to you.": "没有你可以发起的审批。",
    "Title (optional)": "标题（可选）",
    "Submit": "提交",
    "Required": "必填",
    "Choose approvers for {node}": "选择「{node}」的审批人",
    "Choose people": "选择人员",
    "From": "开始",
    "To": "结束",
    "Currency": "币种",
    "This field type cannot be filled in here; it is left empty.": "此类控件无法在这里填写，将留空。",
    "Please correct the fields marked below.": "请修改下方标出的字段。",
    "Approval not found.": "找不到这个审批。",
    "Approval": "审批",
    "Version {version}": "版本 {version}",
    "{count} nodes": "{count} 个节点",
    # admin
    "Definitions": "审批定义",
    "Apps": "应用",
    "Event outbox": "事件发件箱",
    "Code": "Code",
    "Name": "名称",
    "Version": "版本",
    "Nodes": "节点",
    "Edit": "编辑",
    "New definition": "新建审批定义",
    "Definition": "审批定义",
    "Format": "格式",
    "Validate": "校验",
    "Save": "保存",
    "The definition is valid.": "审批定义校验通过。",
    "Saved as version {version}.": "已保存为版本 {version}。",
    "The text is not valid {fmt}: {error}": "文本不是有效的 {fmt}：{error}",
    "A definition is an object (a mapping) at the top level.": "审批定义的顶层必须是对象（映射）。",
    "Saving overwrites the definition: running requests keep their tasks, new ones follow the new version.":
        "保存会覆盖审批定义：进行中的申请保留已有任务，新申请按新版本运行。",
    "Leave approval_code out: a new definition gets a new code.": "不要填写 approval_code：新的审批定义会生成新的 code。",
    "App ID": "App ID",
    "Scopes": "权限",
    "Event URL": "事件回调地址",
    "Events by": "事件订阅方式",
    "Long connection: {n} connected": "长连接：{n} 个客户端已连接",
    "Callback to the event URL": "将事件发送至开发者服务器",
    "Verification token": "Verification Token",
    "Encrypt key": "Encrypt Key",
    "set": "已设置",
    "not set": "未设置",
    "Admins": "管理员",
    "Subscribed approvals": "已订阅的审批",
    "No apps.": "没有应用。",
    "ID": "ID",
    "Time": "时间",
    "Kind": "类型",
    "Event": "事件",
    "Redelivery requested": "已请求重投",
    "Redeliver selected": "重投所选事件",
    "Select": "选择",
    "Select event {id}": "选择事件 {id}",
    "No events.": "没有事件。",
    "Filter by instance code": "按实例 code 筛选",
    "Redelivery requested for {count} events.": "已为 {count} 个事件请求重投。",
    "Choose events to redeliver.": "请选择要重投的事件。",
    "The delivery worker sends these events again, with the same event ids.":
        "投递程序会用相同的事件 ID 重新发送这些事件。",
    "Payload": "内容",
    "yes": "是",
    "no": "否",
}
ZH.update(ZH_INBOX)
ZH.update(ZH_DESIGNER)
ZH.update(ZH_PEOPLE)
ZH.update(ZH_NOTIFICATIONS)
ZH.update(ZH_SSO)
