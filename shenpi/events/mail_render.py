"""Notification mails: a multipart text + HTML message in the recipient's language (zh or en), with the request's
summary and a link straight to it. One notification makes one mail; a digest lists several in one.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from shenpi.store.notifications import Notification

# What each kind says, by language: {actor} did it, {submitter} asked, {title} is the request's name.
_SAYS: dict[str, dict[str, str]] = {
    "assigned": {"en": "{submitter}'s request waits for your approval: {title}",
                 "zh": "{submitter} 提交的审批待你处理：{title}"},
    "transferred": {"en": "{actor} transferred a task to you: {title}", "zh": "{actor} 将审批转交给你：{title}"},
    "approved": {"en": "Your request was approved: {title}", "zh": "你的申请已通过：{title}"},
    "rejected": {"en": "Your request was rejected: {title}", "zh": "你的申请已被拒绝：{title}"},
    "sent_back": {"en": "{actor} sent your request back to you: {title}", "zh": "{actor} 将你的申请退回：{title}"},
    "cc": {"en": "{actor} copied you on a request: {title}", "zh": "{actor} 抄送给你一个审批：{title}"},
    "mentioned": {"en": "{actor} mentioned you in a comment: {title}", "zh": "{actor} 在评论中提到了你：{title}"},
    "commented": {"en": "{actor} commented on your request: {title}", "zh": "{actor} 评论了你的申请：{title}"},
    "reminded": {"en": "Reminder: a request waits for your approval: {title}", "zh": "催办：有审批等待你处理：{title}"},
}
_WORDS: dict[str, dict[str, str]] = {
    "en": {"open": "Open the request", "submitter": "Submitted by", "serial": "Serial number", "comment": "Comment",
           "digest": "Your approval notifications ({n})", "footer": "Change what you receive: {url}",
           "system": "The reminder timer"},
    "zh": {"open": "打开审批", "submitter": "提交人", "serial": "审批编号", "comment": "评论",
           "digest": "你的审批通知（{n} 条）", "footer": "修改通知设置：{url}", "system": "系统"},
}
PREFERENCES_PATH = "/notifications/preferences"


def headline(n: Notification, lang: str) -> str:
    """What the notification says, in ``lang``: the bell's line and the mail's subject."""
    lang = lang if lang in ("zh", "en") else "zh"
    title = (n.payload.get("title") or {}).get(lang) or n.instance_code
    actor = n.payload.get("actor") or _WORDS[lang]["system"]
    submitter = n.payload.get("submitter") or ""
    return _SAYS.get(n.kind, {"en": "{title}", "zh": "{title}"})[lang].format(actor=actor, title=title,
                                                                               submitter=submitter)


def _facts(n: Notification, lang: str) -> list[tuple[str, str]]:
    w = _WORDS[lang]
    p: dict[str, Any] = n.payload
    facts = [(w["submitter"], str(p.get("submitter", ""))), (w["serial"], str(p.get("serial", "")))]
    facts += [(str(s.get(lang) or s.get("zh", "")), str(s.get("value", ""))) for s in p.get("summary", [])]
    if p.get("comment"):
        facts.append((w["comment"], str(p["comment"])))
    return [(k, v) for k, v in facts if v]


def instance_url(public_url: str, n: Notification) -> str:
    return f"{public_url.rstrip('/')}/instances/{n.instance_code}"


def _text_part(n: Notification, lang: str, public_url: str) -> str:
    lines = [headline(n, lang), ""]
    lines += [f"{k}: {v}" for k, v in _facts(n, lang)]
    lines += ["", f"{_WORDS[lang]['open']}: {instance_url(public_url, n)}"]
    return "\n".join(lines)


def _html_part(n: Notification, lang: str, public_url: str) -> str:
    e = html.escape
    rows = "".join(f"<tr><th align=\"left\">{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _facts(n, lang))
    return (f"<h3>{e(headline(n, lang))}</h3><table>{rows}</table>"
            f"<p><a href=\"{e(instance_url(public_url, n))}\">{e(_WORDS[lang]['open'])}</a></p>")


def message(notes: Sequence[Notification], *, to: str, name: str, lang: str, mail_from: str,
            public_url: str) -> EmailMessage:
    """The mail for ``notes``: one notification, or a digest of several, to ``to`` in ``lang``.

    Its Message-ID is derived from the notifications' ids, so a mail sent again after a worker lost its result (the
    one case where a mail can go twice) is recognisably the same mail."""
    lang = lang if lang in ("zh", "en") else "zh"
    w = _WORDS[lang]
    footer = w["footer"].format(url=public_url.rstrip("/") + PREFERENCES_PATH)
    if len(notes) == 1:
        subject = headline(notes[0], lang)
        text = _text_part(notes[0], lang, public_url)
        body = _html_part(notes[0], lang, public_url)
    else:
        subject = w["digest"].format(n=len(notes))
        text = "\n\n----\n\n".join(_text_part(n, lang, public_url) for n in notes)
        body = "<hr>".join(_html_part(n, lang, public_url) for n in notes)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = mail_from
    msg["To"] = formataddr((name, to))
    msg["Date"] = formatdate(localtime=False)
    domain = mail_from.rpartition("@")[2].strip("> ") or "shenpi.invalid"
    ids = "-".join(str(n.id) for n in notes)
    msg["Message-ID"] = f"<shenpi.notification.{ids if len(ids) <= 64 else hashlib.sha1(ids.encode()).hexdigest()}@{domain}>"
    msg["X-Shenpi-Notifications"] = ",".join(str(n.id) for n in notes)
    msg["X-Shenpi-Kind"] = notes[0].kind if len(notes) == 1 else "digest"  # for mail clients' filters
    msg.set_content(f"{text}\n\n-- \n{footer}\n")
    msg.add_alternative(f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><body>{body}"
                        f"<p style=\"color:#666\">{html.escape(footer)}</p></body></html>", subtype="html")
    return msg
