"""Every GET page of the access matrix makes the same number of queries with 1 or 31 of everything.

For each GET row in tests/access/rules_*.py the page is requested as a role it lets in (200), once
with one more of each kind of row (tenancies, members, invitations, register entries, change
notices and objections, agreements, text versions, audit rows, subscribers, outbox mail), then
again with 30 more of each; the statement counts must be equal. EXEMPT lists the pages that are
not measured and PER_ITEM the one page allowed a query per item, each with its reason; SHOWN
checks that the added rows really appear on the pages that list them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import uuid

import pytest
from flask import url_for
from sqlalchemy import func, insert, literal, select

from portal.audit.models import AuditEvent, Outcome
from portal.auth.models import User
from portal.changes.models import ChangeKind, ChangeNotice, Objection, ObjectionStep
from portal.changes.states import ObjectionState, StepKind
from portal.dates import now, uk_today
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.extensions import db
from portal.notify.models import OutboxMessage, Subscriber
from portal.register.models import RegisterEntry, RegisterVersion, VersionStatus
from portal.tenancy.models import Invitation, Membership, Role, Tenancy, TenancyKind
from tests.access.matrix import ROLES, Row, all_rows, build_world, codes
from tests.factories import sign_in_client
from tests.register.builders import entry, publish_version

# Roles to measure as, in order of preference: the richest view of the page first.
PREFERRED = ("data_lead", "trust_admin", "vendor_admin", "vendor_staff", "viewer", "anonymous", "other_trust_admin")
EXEMPT: dict[str, str] = {
    "static": "a file from disk: no database at all",
    "web.favicon": "a redirect to a static file: no database at all",
    "language.switch": "sets the language cookie and redirects back (#29): no database at all",
    "documents.sign": "needs sign_details' answers in the session (else a redirect); document.prepare builds every "
    "target's annexes from one effective_sets call (tests/documents/test_views.py signs three academies at once)",
    "documents.signing_job": "needs a trust's signing job; one SELECT of the job and one of its items, "
    "however many (tests/documents/test_signing_job.py)",
    "documents.sign_draft": "needs sign_details' answers in the session (else a redirect); one target, one prepare",
    "auth.callback": "needs a sign-in provider's round trip (tests/auth cover it); one identity lookup",
    "auth.invitation": "needs a live invitation token; one lookup by token hash, nothing listed",
    "notify.confirm": "needs a live confirmation token; one lookup by token hash, nothing listed",
    "metrics.metrics": "404 without its bearer token; with it, one count per gauge (tests/ops)",
    "api.tenancies": "needs a service token (401 without): a JSON list paged at most 100, tests/api",
    "api.tenancy": "needs a service token (401 without): one tenancy, tests/api",
    "api.tenancy_set": "needs a service token (401 without): one tenancy's set on a date, tests/api",
    "tenancy.home": "everyone in the matrix's world has one organisation and is sent to its home (302); "
    "tests/homes/test_homes.py measures the list of several",
}
# Trust-only pages: the matrix's own tenancy is an academy (they answer 404 there), so they are
# measured on the world's trust, as its trust admin, with the academies grow() adds to it.
TRUST_PAGES = ("documents.sign_details", "documents.academies_zip")
# Pages allowed exactly one query per listed item, and why. grow(30) adds 30 academies, each signed.
PER_ITEM = {
    # The ZIP streams: each academy's PDF is read just before it is written, so memory stays flat
    # however many academies a trust has (bench/documents_sign.py measures the peak).
    "documents.academies_zip": "one SELECT of each signed PDF, by design",
}
# Pages that list what grow() adds, and a text each added row shows there: the growth is visible.
SHOWN = {
    "tenancy.members": "Budget Member",
    "changes.tenancy_objections": "Budget Supplier",
    "changes_admin.queue": "Budget Academy",
    "audit.tenancy_log": "budget.tenancy_event",
    "audit_admin.vendor_log": "budget.vendor_event",
    "documents.agreements": "Budget Signer",
    "register.public_register": "Budget",
    "register.public_register_json": "Budget",
    "tenancy_register.effective_set": "Budget",
    "vendor.tenancies": "Budget Academy",
    "vendor_tenancy.summary": "Budget Member",
    "tenancy.overview": "We plan to add Budget Supplier",
    "vendor_agreements.text_versions": "Budget",
    "documents.sign_details": "Budget Academy",
}
_unique = itertools.count(1)


def _allowed_role(row: Row) -> str | None:
    if row.endpoint in TRUST_PAGES:
        return "trust_admin"
    cell = codes(row.status or row.own or "")
    return next((role for role in PREFERRED if cell[role] == 200), None)


GET_ROWS = [
    pytest.param(row, id=row.endpoint)
    for row in all_rows()
    if row.method == "GET" and row.endpoint not in EXEMPT and _allowed_role(row) is not None
]


def _ids(column, *where) -> list[int]:
    return list(db.session.scalars(select(column).where(*where).order_by(column)))


def test_every_get_page_is_measured_or_exempt():
    unmeasured = {row.endpoint for row in all_rows() if row.method == "GET" and row.endpoint not in EXEMPT} - {
        param.values[0].endpoint for param in GET_ROWS
    }
    assert not unmeasured, f"GET pages neither measured nor listed in EXEMPT with a reason: {sorted(unmeasured)}"


def grow(own_id: int, trust_id: int, count: int) -> None:
    """Add `count` more of every kind of row a page might list (set-based: one statement per kind)."""
    n = next(_unique)
    at = now()
    # Academies of the world's trust: a trust admin's pages list them, the vendor's lists all tenancies.
    db.session.execute(
        insert(Tenancy),
        [
            {
                "kind": TenancyKind.SCHOOL,
                "slug": f"budget-{n}-{i}",
                "name": f"Budget Academy {n}-{i}",
                "urn": f"{700000 + n * 100 + i}",
                "trust_id": trust_id,
            }
            for i in range(count)
        ],
    )
    schools = _ids(Tenancy.id, Tenancy.slug.like(f"budget-{n}-%"))
    # Members and invitations of the own tenancy.
    db.session.execute(
        insert(User), [{"display_name": f"Budget Member {n}-{i}", "email": f"m{n}-{i}@x.example"} for i in range(count)]
    )
    users = _ids(User.id, User.email.like(f"m{n}-%@x.example"))
    db.session.execute(insert(Membership), [{"user_id": u, "tenancy_id": own_id, "role": Role.VIEWER} for u in users])
    db.session.execute(
        insert(Invitation),
        [
            {
                "tenancy_id": own_id,
                "email": f"invitee{n}-{i}@school.example",
                "role": Role.VIEWER,
                "token_hash": hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
                "expires_at": at + dt.timedelta(days=7),
            }
            for i in range(count)
        ],
    )
    # A register version with more entries than the last one (it becomes the current version);
    # with a draft open (only one may exist), the draft grows instead, for the draft's own pages.
    draft = db.session.scalar(select(RegisterVersion).where(RegisterVersion.status == VersionStatus.DRAFT))
    if draft is None:
        publish_version([entry(f"budget-{n}-{i}") for i in range(count + 2)], number=f"90.{n}")
    else:
        db.session.execute(insert(RegisterEntry), [entry(f"budget-{n}-{i}", version_id=draft.id) for i in range(count)])
    # Change notices, each objected to (and the objection lodged) by the own tenancy and one new academy.
    db.session.execute(
        insert(ChangeNotice),
        [
            {
                "kind": ChangeKind.ADDITION,
                "entry_key": f"budget-change-{n}-{i}",
                "supplier": f"Budget Supplier {n}-{i}",
                "title": f"We plan to add Budget Supplier {n}-{i}",
                "reason": "To measure query budgets.",
                "effective_on": uk_today() + dt.timedelta(days=40),
            }
            for i in range(count)
        ],
    )
    notices = _ids(ChangeNotice.id, ChangeNotice.entry_key.like(f"budget-change-{n}-%"))
    db.session.execute(
        insert(Objection),
        [
            {"change_id": notice, "tenancy_id": tenancy, "state": ObjectionState.LODGED, "grounds": "Budget grounds."}
            for notice, school in zip(notices, schools, strict=True)
            for tenancy in (own_id, school)
        ],
    )
    db.session.execute(
        insert(ObjectionStep).from_select(
            ["objection_id", "step", "at", "actor_label", "note"],
            select(
                Objection.id, literal(StepKind.LODGED.value), Objection.lodged_at, literal("Budget"), Objection.grounds
            ).where(Objection.change_id.in_(notices)),
        )
    )
    # Agreement text versions, and signed agreements: `count` for the own tenancy, one per new academy.
    latest = db.session.scalar(select(func.max(DpaTextVersion.number))) or 0
    db.session.execute(
        insert(DpaTextVersion),
        [
            {"number": latest + i + 1, "content": "{}", "sha256": "0" * 64, "summary": f"Budget {i}"}
            for i in range(count)
        ],
    )
    text_id = db.session.scalar(select(func.max(DpaTextVersion.id)))

    def agreement(tenancy: int) -> dict[str, object]:
        pdf = f"%PDF-1.7 budget agreement {uuid.uuid4()}".encode()
        return {
            "tenancy_id": tenancy,
            "text_version_id": text_id,
            "signed_at": at,
            "signer_name": "Budget Signer",
            "signer_role": "Head",
            "capacity": SignerCapacity.SELF,
            "annex": [],
            "filename": "budget.pdf",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "size_bytes": len(pdf),
            "pdf": pdf,
        }

    db.session.execute(insert(Agreement), [agreement(own_id) for _ in range(count)] + [agreement(s) for s in schools])
    # Audit rows (the tenancy's log and the vendor's), subscribers and queued mail.
    db.session.execute(
        insert(AuditEvent),
        [
            {"action": action, "actor_label": "Budget", "tenancy_id": tenancy, "outcome": Outcome.SUCCESS}
            for action, tenancy in (("budget.tenancy_event", own_id), ("budget.vendor_event", None))
            for _ in range(count)
        ],
    )
    addresses = [f"budget{n}-{i}@example.org" for i in range(count)]
    db.session.execute(
        insert(Subscriber),
        [{"address": a, "confirmed_at": at, "unsubscribe_hash": uuid.uuid4().hex} for a in addresses],
    )
    db.session.execute(
        insert(OutboxMessage),
        [
            {"recipient": a, "subject": "Budget", "body_text": "Budget", "category": "budget", "reference": f"b:{n}"}
            for a in addresses
        ],
    )
    db.session.commit()


def measure(app, client, count_queries, url: str) -> tuple[int, str]:
    """Warm once, then count one request; both start with an empty identity map, as a real request does."""
    db.session.expunge_all()
    client.get(url).close()  # the session refresh and any first-use caches
    db.session.expunge_all()
    with count_queries() as counter:
        response = client.get(url)
        # Read the whole body inside the count: a streamed response (a ZIP) queries as it goes.
        body = response.get_data().decode("utf-8", "replace")
    assert response.status_code == 200, f"{url}: {response.status_code}"
    response.close()
    return len(counter.statements), body


@pytest.mark.parametrize("row", GET_ROWS)
def test_page_queries_do_not_grow_with_data(app, client, count_queries, row: Row):
    world = build_world()
    db.session.commit()
    role = _allowed_role(row)
    assert role is not None and role in ROLES
    if role != "anonymous":
        sign_in_client(client, world.users[role])
    tenancy = None if row.status else world.trust if row.endpoint in TRUST_PAGES else world.own
    values = dict(row.values(world, tenancy)) if row.values else {}
    if tenancy is not None:
        values["tenancy"] = tenancy.slug
    db.session.commit()
    with app.test_request_context():
        url = url_for(row.endpoint, **values)
    own_id, trust_id = world.own.id, world.trust.id
    grow(own_id, trust_id, 1)
    small, small_body = measure(app, client, count_queries, url)
    grow(own_id, trust_id, 30)
    large, large_body = measure(app, client, count_queries, url)
    if row.endpoint in SHOWN:
        # The added rows really reach these pages, so equal counts mean something.
        shown = SHOWN[row.endpoint]
        assert large_body.count(shown) > small_body.count(shown), f"{row.endpoint} does not show more {shown!r}"
    allowed = 30 if row.endpoint in PER_ITEM else 0
    assert large - small == allowed, (
        f"{row.endpoint} as {role}: {small} queries with 1 of everything, {large} with 31 (allowed +{allowed})"
    )
