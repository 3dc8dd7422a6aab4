"""Sending notification mails over SMTP, the way events are pushed (shenpi/events/delivery.py).

* A notification whose recipient takes mail is written as a mail to send in the transaction of its change; this
  worker claims due mail (a lease, renewed while the send is in flight), sends it with aiosmtplib and records the
  result under that lease: several worker processes send each mail once, and a process killed between the commit
  and the send leaves the mail to the next one (after its lease, if it had claimed it).
* A failed send is retried after 15 s, 5 min, 1 h and 6 h (the event schedule), then dead-lettered.
* Digest rows are due at the recipient's digest time and go out as one mail per recipient.
* The definitions' reminder timer (tasks pending past their definition's hours) runs every ``timer_interval_s``
  on its own clock, not at every wake: a commit wakes the worker for its mail, and a reminder counted in hours
  gains nothing from being looked for after each of thousands of commits a second.

The worker owns no storage: it talks to a :class:`MailStore` (shenpi/app/notifications.py implements it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from shenpi.background import cancel_and_wait
from shenpi.events.delivery import RETRY_SCHEDULE_S
from shenpi.events.lease import under_lease
from shenpi.events.mail_render import message
from shenpi.store.notifications import Notification

log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 30.0


class Recipient(Protocol):
    email: str
    name: str
    language: str


class MailStore(Protocol):
    lease_ms: int

    async def claim(self, now_ms: int, limit: int) -> list[list[Notification]]:
        """Due mail, claimed: each list is one mail (one notification, or a recipient's digest), leased together."""
        ...

    async def renew(self, ids: Sequence[int], lease: int, now_ms: int) -> int: ...
    async def sent(self, ids: Sequence[int], lease: int, now_ms: int) -> bool: ...
    async def retry(self, ids: Sequence[int], lease: int, next_at_ms: int, attempts: int, error: str) -> bool: ...
    async def dead(self, ids: Sequence[int], lease: int, attempts: int, error: str) -> bool: ...
    async def recipient(self, tenant_key: str, user_id: str) -> Recipient | None: ...
    async def remind_overdue(self, now_ms: int) -> int: ...


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """``smtp://user:pass@host:port`` (STARTTLS when the server offers it) or ``smtps://...`` (TLS from the start)."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"an SMTP URL is smtp://[user:pass@]host[:port] or smtps://...: {url!r}")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25), unquote(parts.username or ""),
                   unquote(parts.password or ""), tls)

    async def send(self, msg: EmailMessage, timeout_s: float) -> None:
        await aiosmtplib.send(msg, hostname=self.host, port=self.port, username=self.username or None,
                              password=self.password or None, use_tls=self.tls, timeout=timeout_s)


def _wall_ms() -> int:
    return int(time.time() * 1000)


class MailWorker:
    """Background task that sends due notification mail; ``run_once`` is one pass, for tests with a moved clock.
    Without an SMTP server (``smtp`` None) it runs only the reminder timer, whose notifications reach the bell."""

    def __init__(self, store: MailStore, smtp: SmtpServer | None, *, mail_from: str = "", public_url: str = "",
                 now_ms: Callable[[], int] = _wall_ms, schedule_scale: float = 1.0,
                 schedule: Sequence[float] = RETRY_SCHEDULE_S, timeout_s: float = SEND_TIMEOUT_S,
                 poll_interval_s: float = 1.0, timer_interval_s: float = 30.0, batch: int = 50,
                 concurrency: int = 4) -> None:
        self.store, self.smtp = store, smtp
        self.mail_from, self.public_url = mail_from, public_url
        self.now_ms = now_ms
        self.schedule = tuple(s * schedule_scale for s in schedule)
        self.timeout_s = timeout_s
        self.poll_interval_s = poll_interval_s
        self.timer_interval_s = timer_interval_s
        self.batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._timer_now = False  # the clock was moved: run the reminder timer at the next pass, not at its interval
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="shenpi-mail")

    async def stop(self) -> None:
        """Finish the pass in flight (each send within its timeout), so that a mail the SMTP server accepted is
        recorded as sent and not sent again by the next process; then stop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=self.timeout_s + 1.0)
        if not done:  # stuck on storage: abandoned, its mail retried when the leases run out
            await cancel_and_wait(task)

    def wake(self) -> None:
        if self.smtp is not None:  # without mail to send, a commit gives the timer nothing new to do
            self._wake.set()

    def clock_moved(self) -> None:
        """The server's clock was moved forward (the admin API): the hours the reminder timer counts, and retries
        and digests, may just have come due, so a pass with the timer runs now rather than at the next interval."""
        self._timer_now = True
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        timer_at = loop.time()
        while not self._stopping:
            self._wake.clear()
            timer = loop.time() >= timer_at or self._timer_now
            if timer:
                self._timer_now = False
                timer_at = loop.time() + self.timer_interval_s
            try:
                await self._pass(timer=timer)
            except Exception:  # a store hiccup must not kill the loop; the next poll retries
                log.exception("mail pass failed")
            wait_s = self.poll_interval_s if self.smtp is not None else max(0.0, timer_at - loop.time())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait_s):
                    await self._wake.wait()

    async def run_once(self) -> int:
        """Run the reminder timer, then claim and send what is due; the number of mails attempted."""
        return await self._pass(timer=True)

    async def _pass(self, *, timer: bool) -> int:
        if timer:
            await self.store.remind_overdue(self.now_ms())
        attempted = 0
        if self.smtp is None:
            return 0
        while claims := await self.store.claim(self.now_ms(), self.batch):
            await asyncio.gather(*(self._attempt(c) for c in claims))
            attempted += len(claims)
            if len(claims) < self.batch or self._stopping:
                break
        return attempted

    async def _attempt(self, notes: list[Notification]) -> None:
        async with self._slots:
            ids, lease = [n.id for n in notes], notes[0].mail_next_at
            lease = await self.store.renew(ids, lease, self.now_ms())  # measured from the send's start
            if not lease:
                return  # another process took it over
            error, lease = await under_lease(self._send(notes), lease,
                                             lambda held: self.store.renew(ids, held, self.now_ms()), self.store.lease_ms)
            attempts = max(n.mail_attempts for n in notes) + 1
            if error is None:
                recorded, outcome = await self.store.sent(ids, lease, self.now_ms()), "sent"
            elif attempts > len(self.schedule):
                recorded, outcome = await self.store.dead(ids, lease, attempts, error), "dead"
            else:
                next_at = self.now_ms() + int(self.schedule[attempts - 1] * 1000)
                recorded, outcome = await self.store.retry(ids, lease, next_at, attempts, error), "retry"
            level = logging.WARNING if outcome == "dead" else logging.INFO
            log.log(level, "mail %s to %s: %s%s%s", ",".join(map(str, ids)), notes[0].user_id, outcome,
                    f" ({error})" if error else "", "" if recorded else " (lease lost: not recorded)")

    async def _send(self, notes: list[Notification]) -> str | None:
        """One SMTP send; None when the server accepted the mail, else why not."""
        to = await self.store.recipient(notes[0].tenant_key, notes[0].user_id)
        if to is None:
            return "the recipient has no email address"
        msg = message(notes, to=to.email, name=to.name, lang=to.language, mail_from=self.mail_from,
                      public_url=self.public_url)
        assert self.smtp is not None  # claimed only with one
        try:
            async with asyncio.timeout(self.timeout_s):
                await self.smtp.send(msg, self.timeout_s)
        except TimeoutError:
            return f"timeout after {self.timeout_s:g}s"
        except Exception as e:  # refused, unreachable, rejected recipient: all mean "not sent"
            return f"{type(e).__name__}: {e}"
        return None
