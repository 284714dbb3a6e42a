"""The console home and the tenancy list: counts, states, search, and constant query counts."""

from __future__ import annotations

import datetime as dt

from portal.changes.models import ChangeKind, ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.dates import now, uk_today
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.tenancy.models import Invitation, Role
from tests.factories import make_school, make_trust, make_user
from tests.pages import text_of


def _invite(tenancy, *, expired: bool = False) -> None:
    db.session.add(
        Invitation(
            tenancy_id=tenancy.id,
            email="lead@school.example",
            role=Role.DATA_LEAD,
            token_hash=f"{tenancy.id:064d}",
            expires_at=now() + dt.timedelta(days=-1 if expired else 7),
        )
    )
    db.session.flush()


def _active(tenancy) -> None:
    user = make_user(tenancy=tenancy)
    user.last_sign_in_at = now()
    db.session.flush()


def _failed_mail(n: int) -> None:
    for i in range(n):
        db.session.add(
            OutboxMessage(
                recipient=f"x{i}@example.org", subject="s", body_text="t", category="test", status=OutboxStatus.FAILED
            )
        )
    db.session.flush()


def _notice(days_ahead: int) -> ChangeNotice:
    notice = ChangeNotice(
        kind=ChangeKind.ADDITION,
        entry_key=f"supplier-{days_ahead}",
        supplier="Supplier",
        title="Add a supplier",
        reason="Because",
        effective_on=uk_today() + dt.timedelta(days=days_ahead),
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def _objection(notice: ChangeNotice, tenancy, state: ObjectionState, days_ago: int) -> None:
    db.session.add(
        Objection(
            change_id=notice.id,
            tenancy_id=tenancy.id,
            state=state,
            grounds="No",
            lodged_at=now() - dt.timedelta(days=days_ago),
        )
    )
    db.session.flush()


def _sign(tenancy, version: DpaTextVersion) -> None:
    db.session.add(
        Agreement(
            tenancy_id=tenancy.id,
            text_version_id=version.id,
            signed_at=now(),
            signer_name="S",
            signer_role="Head",
            capacity=SignerCapacity.SELF,
            annex=[],
            filename="dpa.pdf",
            sha256=f"{tenancy.id:064x}",
            size_bytes=3,
            pdf=b"pdf",
        )
    )
    db.session.flush()


def _tile(page, title: str) -> int:
    return int(page.select_one(f'[data-tile="{title}"]').get_text(strip=True))


def test_home_counts_what_needs_attention(client_request, vendor_staff):
    invited, active, idle = make_school("Invited School"), make_school("Active School"), make_school("Idle School")
    _invite(invited)
    _invite(active)
    _active(active)
    _invite(idle, expired=True)
    _failed_mail(2)
    client_request.sign_in(vendor_staff)
    page = client_request.get("vendor.home")
    assert _tile(page, "Failed mails") == 2
    assert _tile(page, "Invited, nobody signed in yet") == 1
    links = [a["href"] for a in page.select("main a")]
    assert client_request.url("vendor.tenancies", state="invited") in links


def test_home_shows_objections_with_their_age_notices_soon_and_unsigned_agreements(client_request, vendor_staff):
    first, second, third = make_school("First"), make_school("Second"), make_school("Third")
    soon, later = _notice(10), _notice(40)
    _objection(soon, first, ObjectionState.LODGED, days_ago=3)
    _objection(later, second, ObjectionState.LODGED, days_ago=1)
    _objection(later, third, ObjectionState.ACKNOWLEDGED, days_ago=5)
    old = DpaTextVersion(number=1, content="v1", sha256="a" * 64, summary="First")
    current = DpaTextVersion(number=2, content="v2", sha256="b" * 64, summary="Second")
    db.session.add_all([old, current])
    db.session.flush()
    _sign(first, current)
    _sign(second, old)  # an earlier text only: not the one in force
    client_request.sign_in(vendor_staff)
    page = client_request.get("vendor.home")
    assert _tile(page, "Objections to acknowledge") == 2
    assert _tile(page, "Objections to decide") == 1
    assert _tile(page, "Changes taking effect soon") == 1
    assert _tile(page, "No signed current DPA") == 2
    text = text_of(page)
    assert "Oldest lodged 3 days ago; the nearest notice window closes in 9 days." in text
    listed = client_request.get("vendor.tenancies", state="dpa_unsigned")
    assert sorted(r.select("td")[0].get_text(strip=True) for r in listed.select("tbody tr")) == ["Second", "Third"]
    flagged = client_request.get("vendor.tenancies", state="objections_open")
    assert len(flagged.select("tbody tr")) == 3
    assert "DPA signed" in client_request.get("vendor.tenancies", q="First").select_one("tbody tr").get_text()


def test_tenancy_list_shows_state_and_searches_by_name_urn_and_trust(client_request, vendor_staff):
    trust = make_trust("Wharfe Valley Learning Trust", group_uid="4012")
    oak = make_school("Oakfield Primary Academy", urn="141234", trust=trust)
    river = make_school("Riverside High School", urn="141235")
    _invite(oak)
    _active(river)
    client_request.sign_in(vendor_staff)

    def names(**args) -> list[str]:
        page = client_request.get("vendor.tenancies", **args)
        return [row.select("td")[0].get_text(strip=True) for row in page.select("tbody tr")]

    assert names(q="oakfield") == ["Oakfield Primary Academy"]
    assert names(q="141235") == ["Riverside High School"]
    assert names(q="wharfe") == ["Oakfield Primary Academy", "Wharfe Valley Learning Trust"]
    assert names(q="4012") == ["Wharfe Valley Learning Trust"]
    assert names(state="invited") == ["Oakfield Primary Academy"]
    assert names(state="active") == ["Riverside High School"]
    assert names(state="not_invited") == ["Wharfe Valley Learning Trust"]
    page = client_request.get("vendor.tenancies", q="oakfield")
    assert "Invited" in page.select_one("tbody tr").get_text()


def _queries(client_request, count_queries, endpoint: str, **values) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        client_request.get(endpoint, **values)
    return counter.count


def test_pages_use_the_same_number_of_queries_however_many_tenancies(client_request, vendor_staff, count_queries):
    client_request.sign_in(vendor_staff)
    trust = make_trust("Trust")

    def add(n: int) -> None:
        for _ in range(n):
            school = make_school(trust=trust)
            _invite(school)
            _active(school)
        _failed_mail(n)

    add(2)
    small = {
        endpoint: _queries(client_request, count_queries, endpoint) for endpoint in ("vendor.home", "vendor.tenancies")
    }
    add(30)
    large = {
        endpoint: _queries(client_request, count_queries, endpoint) for endpoint in ("vendor.home", "vendor.tenancies")
    }
    assert small == large
    page = client_request.get("vendor.tenancies", page=2)
    assert "Page 2 of 2" in page.get_text()


def test_tenancy_page_uses_the_same_number_of_queries_however_many_members(client_request, vendor_staff, count_queries):
    school = make_school()
    client_request.sign_in(vendor_staff)
    _invite(school)
    _active(school)
    small = _queries(client_request, count_queries, "vendor.tenancy", slug=school.slug)
    for _ in range(10):
        _active(school)
    assert _queries(client_request, count_queries, "vendor.tenancy", slug=school.slug) == small
