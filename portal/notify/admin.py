"""Vendor staff see the outbox: queued, sent and failed per notice, and why failed messages failed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import gettext
from sqlalchemy import case, distinct, func, select

from portal import policy
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.pagination import paginate, requested_page
from portal.policy import Permission


def _(text: str, **values: object) -> str:
    """gettext, typed: every string here is marked for translation."""
    return str(gettext(text, **values))


bp = policy.declare(
    Blueprint("notify_admin", __name__, url_prefix="/vendor/outbox"), policy.vendor(Permission.VENDOR_CONSOLE)
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class NoticeCounts:
    """One notice (or kind of mail without a reference) with its messages counted by status."""

    reference: str | None
    category: str
    first_queued: object
    queued: int
    sent: int
    failed: int
    subject: str = ""
    recipients: int = 0
    first_recipient: str = ""

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed

    @property
    def purpose(self) -> str:
        return purpose(self.reference, self.category)

    @property
    def recipients_text(self) -> str:
        if self.recipients <= 1:
            return self.first_recipient
        return _("%(first)s and %(more)d others", first=self.first_recipient, more=self.recipients - 1)


def purpose(reference: str | None, category: str) -> str:
    """Why a message was sent, in words, from what its reference and category say (never the key itself)."""
    kind, _sep, rest = (reference or "").partition(":")
    parts = rest.split(":") if rest else []
    if kind == "change-notice":
        if len(parts) == 2 and parts[1] == "withdrawn":
            return _("A change was withdrawn: to subscribers")
        if len(parts) == 2:
            return _("A change was announced: to a school's or trust's contacts")
        return _("A change was announced: to subscribers")
    words = {
        "objection": _("A step in a school's objection: to its contacts"),
        "incident": _("Personal data breach notice: to a school's contacts"),
        "incident-report": _("A school reported a suspected incident: to our security contact"),
        "register-version": _("A new version of the register: to subscribers"),
        "access-request": _("A decision on a request for a security document: to the person who asked"),
        "exit": _("A step in ending the service: to a school's contacts"),
        "invitation": _("An invitation to join an organisation in the portal"),
        "subscriber": _("Welcome to a new subscriber, with the changes open now"),
    }
    if kind == "incident" and parts and parts[-1] == "reminder":
        return _("Reminder to acknowledge a breach notice: to a school's contacts")
    if kind in words:
        return words[kind]
    return {
        "subscription-confirm": _("Confirming a subscription to change notifications"),
        "subscription-welcome": _("Welcome to a new subscriber, with the changes open now"),
    }.get(category, category.replace("-", " ").capitalize())


def _count(*statuses: OutboxStatus):  # type: ignore[no-untyped-def]
    return func.sum(case((OutboxMessage.status.in_(statuses), 1), else_=0))


def notice_counts(page: int) -> tuple[list[NoticeCounts], int]:
    """One page of per-notice counts (newest first) and the number of notices: two queries."""
    groups = (
        select(
            OutboxMessage.reference,
            OutboxMessage.category,
            func.min(OutboxMessage.created_at),
            _count(OutboxStatus.QUEUED, OutboxStatus.SENDING),
            _count(OutboxStatus.SENT),
            _count(OutboxStatus.FAILED),
            func.min(OutboxMessage.subject),
            func.count(distinct(OutboxMessage.recipient)),
            func.min(OutboxMessage.recipient),
        )
        .group_by(OutboxMessage.reference, OutboxMessage.category)
        .order_by(func.max(OutboxMessage.id).desc())
    )
    found = paginate(groups, page, PAGE_SIZE)
    counts = [
        NoticeCounts(
            r[0], r[1], r[2], int(r[3] or 0), int(r[4] or 0), int(r[5] or 0), r[6] or "", int(r[7] or 0), r[8] or ""
        )
        for r in found.items
    ]
    return counts, found.total


def failed_messages(page: int, reference: str | None) -> tuple[list[OutboxMessage], int]:
    """One page of failed messages with their reasons, optionally for one notice: two queries."""
    where = [OutboxMessage.status == OutboxStatus.FAILED]
    if reference:
        where.append(OutboxMessage.reference == reference)
    found = paginate(
        select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc()), page, PAGE_SIZE, entities=True
    )
    return found.items, found.total


@bp.get("/")
def index() -> str:
    notices, notice_total = notice_counts(requested_page("page"))
    reference = (request.args.get("reference") or "")[:80] or None
    failed, failed_total = failed_messages(requested_page("failed_page"), reference)
    return render_template(
        "notify/outbox.html",
        notices=notices,
        notice_total=notice_total,
        page=requested_page("page"),
        failed=failed,
        failed_total=failed_total,
        failed_page=requested_page("failed_page"),
        reference=reference,
        reference_purpose=purpose(reference, "") if reference else "",
        page_size=PAGE_SIZE,
    )
