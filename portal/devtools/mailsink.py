"""A local SMTP sink on loopback (aiosmtpd): keeps every message, prints it with its links.

`make run` starts one so a person can read what the portal sent; the tests start one to
receive real SMTP. It can refuse chosen recipients permanently, to exercise failures.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


def free_port() -> int:
    """A free TCP port on loopback (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message as the sink got it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[no-any-return]

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.text)


@dataclass
class _Handler:
    folder: Path | None
    echo: bool
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # An outage on cue: after `limit` messages, refuse everything and call `on_limit` once.
    limit: int | None = None
    on_limit: Callable[[], None] | None = None

    def _down(self) -> bool:
        with self.lock:
            if self.limit is None or len(self.messages) < self.limit:
                return False
            callback, self.on_limit = self.on_limit, None
        if callback is not None:
            callback()
        return True

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self._down():
            return "421 4.3.2 Service shutting down"
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address.lower() in self.defer:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)  # type: ignore[arg-type]
        with self.lock:
            if self.limit is not None and len(self.messages) >= self.limit:
                return "421 4.3.2 Service shutting down"
            self.messages.append(received)
            count = len(self.messages)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{count:05d}.eml").write_bytes(envelope.content)
        if self.echo:
            print(f"\n--- mail to {', '.join(received.recipients)}: {received.subject}")
            for link in received.links:
                print(f"    {link}")
        return "250 Message accepted"


class MailSink:
    """An aiosmtpd server on 127.0.0.1 that keeps what it receives."""

    def __init__(self, port: int | None = None, folder: Path | None = None, echo: bool = False) -> None:
        self.port = port or free_port()
        self.handler = _Handler(folder=folder, echo=echo)
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def refuse(self, address: str) -> None:
        """Reject mail to this address permanently (550)."""
        self.handler.refuse.add(address.lower())

    def defer(self, address: str) -> None:
        """Reject mail to this address for now (451), as a busy server does."""
        self.handler.defer.add(address.lower())

    def stop_after(self, count: int) -> threading.Event:
        """An outage mid-batch: accept `count` messages in all, then refuse the rest and shut down.

        Returns an event set once the server has stopped (so a new sink may take the port).
        """
        stopped = threading.Event()

        def shut_down() -> None:
            # Not on the server's own event loop thread: Controller.stop() joins that thread.
            def run() -> None:
                self.stop()
                stopped.set()

            threading.Thread(target=run, daemon=True).start()

        self.handler.limit = count
        self.handler.on_limit = shut_down
        return stopped

    def start(self) -> MailSink:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
