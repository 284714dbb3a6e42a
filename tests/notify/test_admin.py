"""Vendor staff see the outbox: counts per notice, failed messages with reasons, constant query count."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from portal.auth.models import User
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.notify.outbox import enqueue
from portal.notify.worker import deliver_due
from tests.pages import PageClient


def queue(reference: str, count: int) -> None:
    for n in range(count):
        enqueue(
            to=f"r{n}@{reference.replace(':', '-')}.example.org",
            subject=f"Subject of {reference}",
            text="T",
            category="notice",
            reference=reference,
        )


def row_of(page: Any, reference: str) -> Any:
    return next(
        tr for tr in page.select("#notices tbody tr") if tr.td and tr.td.text.strip() == f"Subject of {reference}"
    )


def cells(page: Any, reference: str) -> list[str]:
    return [td.text.strip().split(" ")[0].split("\n")[0] for td in row_of(page, reference).find_all("td")[3:]]


def test_counts_per_notice_and_failed_reasons(
    client_request: PageClient, vendor_staff: User, mail_sink: MailSink
) -> None:
    queue("change-notice:1", 4)
    queue("register-version:2", 2)
    mail_sink.refuse("r3@change-notice-1.example.org")
    db.session.commit()
    deliver_due()
    queue("register-version:3", 3)
    client_request.sign_in(vendor_staff)
    page = client_request.get("notify_admin.index")
    assert cells(page, "change-notice:1") == ["0", "3", "1"]  # queued, sent, failed
    assert cells(page, "register-version:2") == ["0", "2", "0"]
    assert cells(page, "register-version:3") == ["3", "0", "0"]
    # Why each was sent and to whom, in words: never the key (#25).
    notice = row_of(page, "change-notice:1")
    assert notice.th.text.strip() == "A change was announced: to subscribers"
    assert "r0@change-notice-1.example.org and 3 others" in notice.text
    assert "A new version of the register: to subscribers" in row_of(page, "register-version:2").th.text
    assert not any(re.search(r"[a-z]:\d", th.text) for th in page.select("#notices tbody th"))
    failed = page.select_one("#failed").find_next("table")
    assert "r3@change-notice-1.example.org" in failed.text and "550" in failed.text
    filtered = client_request.get("notify_admin.index", reference="register-version:2")
    assert "No failed messages" in filtered.text


def test_query_count_does_not_grow_with_the_outbox(
    client_request: PageClient, vendor_staff: User, count_queries: Any
) -> None:
    client_request.sign_in(vendor_staff)
    queue("change-notice:1", 2)
    db.session.flush()
    with count_queries() as small:
        client_request.get("notify_admin.index")
    for n in range(40):
        queue(f"change-notice:{n + 2}", 2)
    db.session.execute(update(OutboxMessage).values(status=OutboxStatus.FAILED, last_error="550 no"))
    with count_queries() as large:
        page = client_request.get("notify_admin.index")
    assert large.count == small.count
    assert len(page.select("#notices tbody tr")) == 25
    assert page.select_one(".govuk-pagination")
    second = client_request.get("notify_admin.index", page=2)
    assert len(second.select("#notices tbody tr")) == 41 - 25
    client_request.get("notify_admin.index", page="nonsense")


def test_customers_cannot_see_the_outbox(client_request: PageClient, data_lead: User) -> None:
    client_request.sign_in(data_lead)
    client_request.get("notify_admin.index", _expected_status=403)
