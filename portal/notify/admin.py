"""Vendor staff see the outbox: queued, sent and failed per notice, and why failed messages failed."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from sqlalchemy import case, func, select

from portal import policy
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.policy import Permission

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

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed


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
        )
        .group_by(OutboxMessage.reference, OutboxMessage.category)
        .order_by(func.max(OutboxMessage.id).desc())
    )
    total = db.session.scalar(select(func.count()).select_from(groups.order_by(None).subquery())) or 0
    rows = db.session.execute(groups.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return [NoticeCounts(r[0], r[1], r[2], int(r[3] or 0), int(r[4] or 0), int(r[5] or 0)) for r in rows], total


def failed_messages(page: int, reference: str | None) -> tuple[list[OutboxMessage], int]:
    """One page of failed messages with their reasons, optionally for one notice: two queries."""
    where = [OutboxMessage.status == OutboxStatus.FAILED]
    if reference:
        where.append(OutboxMessage.reference == reference)
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(rows), total


def _page(name: str) -> int:
    value = request.args.get(name, "1")
    return max(1, min(int(value), 100000)) if value.isdigit() else 1


@bp.get("/")
def index() -> str:
    notices, notice_total = notice_counts(_page("page"))
    reference = (request.args.get("reference") or "")[:80] or None
    failed, failed_total = failed_messages(_page("failed_page"), reference)
    return render_template(
        "notify/outbox.html",
        notices=notices,
        notice_total=notice_total,
        page=_page("page"),
        failed=failed,
        failed_total=failed_total,
        failed_page=_page("failed_page"),
        reference=reference,
        page_size=PAGE_SIZE,
    )
