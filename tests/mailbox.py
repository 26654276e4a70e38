"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), and what arrived at it.

Tests that send mail point ``CATALOGUE_SMTP_HOST``/``PORT`` at it with security ``none``
and read the parsed messages back (``Mailbox.messages``, ``wait_for``).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """Every message the server accepted, with its SMTP envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def settings(self) -> dict[str, object]:
        """Settings overrides that send the catalogue's mail here."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none", "smtp_timeout": 5.0}

    def env(self) -> dict[str, str]:
        """The same as environment variables, for a server started in another process."""
        return {"CATALOGUE_SMTP_HOST": "127.0.0.1", "CATALOGUE_SMTP_PORT": str(self.port),
                "CATALOGUE_SMTP_SECURITY": "none"}

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} mail(s), {len(self.messages)} arrived")
                self._arrived.wait(left)
            return list(self.messages)

    def to(self, address: str, count: int = 1, timeout: float = 15.0) -> list[EmailMessage]:
        """The messages to ``address`` once at least ``count`` have arrived (AssertionError,
        naming who did get mail, after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [m for m in self.messages if m["To"] == address]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} mail(s) to {address}, got {[m['To'] for m in self.messages]}")
                self._arrived.wait(left)
