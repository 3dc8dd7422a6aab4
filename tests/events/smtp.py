"""A real SMTP server on 127.0.0.1 (aiosmtpd, in its own thread) that keeps every mail it receives, parsed."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, box: SmtpSink) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.box.refusing:
            self.box.refused += 1
            return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.box.lock:
            self.box.mails.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.refusing = False  # answer every mail with a temporary failure (counted in ``refused``)
        self.refused = 0
        self.lock = threading.Lock()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self) -> list[tuple[str, str, EmailMessage]]:
        """(recipient, X-Shenpi-Kind, message) of every mail so far."""
        with self.lock:
            return [(to, str(m["X-Shenpi-Kind"]), m) for tos, m in self.mails for to in tos]

    def wait(self, n: int, timeout_s: float = 30) -> list[tuple[str, str, EmailMessage]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.received()) < n:
            time.sleep(0.05)
        return self.received()

    def close(self) -> None:
        self.controller.stop()


class StallingSmtp:
    """Accepts connections and never says a word: a send to it hangs until the sender gives up (or is killed)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)
            self.accepted += 1

    def close(self) -> None:
        self.sock.close()
        for c in self._held:
            c.close()
