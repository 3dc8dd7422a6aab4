"""The mail side of a server, assembled: the SMTP settings from the environment (``shenpi serve --smtp-url
--mail-from --public-url`` set them, as every ``SHENPI_*`` option reaches the worker processes) and the mail worker
over the application's notifications. shenpi/server.py starts and stops it with the event worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from shenpi.app import Shenpi
from shenpi.events.mail import MailWorker, SmtpServer

ENV_SMTP_URL, ENV_MAIL_FROM, ENV_PUBLIC_URL = "SHENPI_SMTP_URL", "SHENPI_MAIL_FROM", "SHENPI_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class MailConfig:
    smtp_url: str = ""  # "" sends no mail (notifications still reach the inbox's bell)
    mail_from: str = ""
    public_url: str = DEFAULT_PUBLIC_URL  # where the links in mails point

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> MailConfig:
        return cls(env.get(ENV_SMTP_URL, ""), env.get(ENV_MAIL_FROM, ""),
                   env.get(ENV_PUBLIC_URL, "") or DEFAULT_PUBLIC_URL)

    def to_env(self) -> dict[str, str]:
        return {ENV_SMTP_URL: self.smtp_url, ENV_MAIL_FROM: self.mail_from, ENV_PUBLIC_URL: self.public_url}

    def check(self) -> None:
        """ValueError when the settings cannot send: a bad URL, or a URL without a sender address."""
        if self.smtp_url:
            SmtpServer.parse(self.smtp_url)
            if "@" not in self.mail_from:
                raise ValueError("--mail-from ADDRESS is required with --smtp-url")


class Mailing:
    """The mail worker of one server process (without an SMTP URL it runs only the reminder timer)."""

    def __init__(self, svc: Shenpi, config: MailConfig, *, retry_scale: float = 1.0, lease_s: float = 10.0) -> None:
        self.svc, self.config = svc, config
        self.retry_scale, self.lease_s = retry_scale, lease_s
        self.worker: MailWorker | None = None

    @classmethod
    def from_env(cls, svc: Shenpi, *, retry_scale: float = 1.0, lease_s: float = 10.0) -> Mailing:
        return cls(svc, MailConfig.from_env(), retry_scale=retry_scale, lease_s=lease_s)

    async def start(self) -> None:
        """Start the worker: it sends mail when an SMTP URL is set, and runs the reminder timer in any case."""
        self.config.check()
        store = self.svc.notifications
        store.lease_ms = max(1, round(self.lease_s * 1000))
        store.send_mail(bool(self.config.smtp_url))
        smtp = SmtpServer.parse(self.config.smtp_url) if self.config.smtp_url else None
        self.worker = MailWorker(store, smtp, mail_from=self.config.mail_from,
                                 public_url=self.config.public_url, now_ms=self.svc.clock.now_ms,
                                 schedule_scale=self.retry_scale, poll_interval_s=0.5)
        await self.worker.start()
        self.svc.mail = self.worker

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            self.svc.mail = self.worker = None
