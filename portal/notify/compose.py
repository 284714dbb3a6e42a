"""Each outbox message built once per content, then varied per recipient as bytes.

A notice to England is one message 74,000 times over but for the To header, the Message-ID and, for
a subscriber, the personal unsubscribe link (in the List-Unsubscribe header and in the footer).
Building an EmailMessage and flattening it cost about a millisecond of CPU per message, most of the
worker's time (bench/notify_fanout.py). So the worker builds the message once per distinct content
with marker values in those places, flattens it exactly as `smtplib.send_message` does, splits the
bytes at the markers, and joins each recipient's own values in: the same bytes, byte for byte
(tests/notify/test_compose.py compares them with the message built for the row alone).

A row the template cannot vary safely is built on its own, as before: an address or link that is
not plain ASCII (it may need SMTPUTF8 or header encoding), content whose markers do not come out
verbatim (a body sent quoted-printable or base64), or a message with content of its own.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from flask import current_app

from portal.notify.models import OutboxMessage
from portal.notify.outbox import build_message, compose, message_id_for
from portal.notify.tokens import unsubscribe_url

# Lower-case ASCII letters: header parsing, folding and body encoding leave them as they are.
MARKER = "zqxmark"
MARKERS = {
    "to": f"{MARKER}to@{MARKER}.invalid",
    "id": f"{MARKER}id",
    "unsubscribe": f"https://{MARKER}.invalid/{MARKER}unsubscribe",
}
_FIND = re.compile("|".join(re.escape(marker) for marker in MARKERS.values()).encode())
_SLOT = {marker.encode(): slot for slot, marker in MARKERS.items()}
# An address that renders in the To header exactly as written: RFC 5322 atext, dots and a plain domain.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~:/%-]{1,300}")


def flatten(message: EmailMessage) -> bytes:
    """The bytes `smtplib.send_message` sends for a message with ASCII addresses."""
    buffer = io.BytesIO()
    BytesGenerator(buffer).flatten(message, linesep="\r\n")
    return buffer.getvalue()


@dataclass(frozen=True)
class Outgoing:
    """One message ready to send: its bytes (from a template), or the message built for its row alone."""

    recipient: str
    data: bytes | None = None
    message: EmailMessage | None = None

    def send(self, smtp: Any, sender: str) -> dict[str, tuple[int, bytes]]:
        """Hand it to the server: the refused recipients (empty when accepted), or an SMTP exception."""
        if self.data is not None:
            return smtp.sendmail(sender, [self.recipient], self.data)  # type: ignore[no-any-return]
        return smtp.send_message(self.message)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Template:
    """A message's bytes cut at its per-recipient places: literal bytes and slot names in turn."""

    parts: tuple[bytes | str, ...]

    def fill(self, values: dict[str, bytes]) -> bytes:
        return b"".join(values[part] if isinstance(part, str) else part for part in self.parts)


def content_key(row: OutboxMessage) -> tuple[Any, ...]:
    """What two rows must share to be the same message but for their recipient and id."""
    headers = json.dumps(row.headers, sort_keys=True) if row.headers else None
    return (row.subject, row.body_text, row.body_html, headers, row.list_unsubscribe, row.created_at)


def make_template(row: OutboxMessage) -> Template | None:
    """The template for the content of `row`, or None when its markers do not come out verbatim."""
    unsubscribe = MARKERS["unsubscribe"] if row.list_unsubscribe else None
    message = compose(
        recipient=MARKERS["to"],
        subject=row.subject,
        created_at=row.created_at,
        message_id=message_id_for(MARKERS["id"], row.created_at),
        headers=row.headers,
        text=row.body_text,
        html=row.body_html,
        unsubscribe=unsubscribe,
    )
    data = flatten(message)
    parts: list[bytes | str] = []
    found: Counter[str] = Counter()
    start = 0
    for match in _FIND.finditer(data):
        slot = _SLOT[match.group()]
        parts += [data[start : match.start()], slot]
        found[slot] += 1
        start = match.end()
    parts.append(data[start:])
    expected = Counter({"to": 1, "id": 1, "unsubscribe": 2 if unsubscribe else 0})
    if +found != +expected:  # a marker folded, encoded or also present in the content itself
        return None
    return Template(tuple(parts))


def _values(row: OutboxMessage) -> dict[str, bytes] | None:
    """This row's values for the template's slots, or None when one is not plain ASCII."""
    if not _PLAIN_ADDRESS.fullmatch(row.recipient):
        return None
    values = {"to": row.recipient.encode("ascii"), "id": str(row.id).encode("ascii")}
    if row.list_unsubscribe:
        url = unsubscribe_url(row.recipient)
        if not _PLAIN_URL.fullmatch(url):
            return None
        values["unsubscribe"] = url.encode("ascii")
    return values


def sender() -> str:
    """The envelope sender `smtplib.send_message` takes from the From header."""
    return getaddresses([current_app.config["MAIL_FROM"]])[0][1]


def prepare(rows: Iterable[OutboxMessage]) -> tuple[dict[int, Outgoing], dict[int, str]]:
    """Each row's message by id, rows sharing their content from one template and any other built
    alone; and, apart, why a row no server would take could not be built (the worker fails it)."""
    groups: dict[tuple[Any, ...], list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        groups[content_key(row)].append(row)
    ready: dict[int, Outgoing] = {}
    broken: dict[int, str] = {}
    plain_sender = sender().isascii()
    for group in groups.values():
        template = None
        if len(group) > 1 and plain_sender:
            try:
                template = make_template(group[0])
            except (ValueError, TypeError):  # each row is then built alone, and fails alone
                template = None
        for row in group:
            values = _values(row) if template is not None else None
            try:
                if template is not None and values is not None:
                    ready[row.id] = Outgoing(row.recipient, data=template.fill(values))
                else:
                    ready[row.id] = Outgoing(row.recipient, message=build_message(row))
            except (ValueError, TypeError) as error:
                broken[row.id] = f"Could not build the message: {error}"
    return ready, broken


__all__ = ["Outgoing", "Template", "flatten", "make_template", "prepare", "sender"]
