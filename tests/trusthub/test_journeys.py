"""Request, approve or refuse (mailed), accept the NDA once per organisation and version, stamped download,
expiry and revocation with the clock moved, and what the vendor sees."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dates import govuk_date, now
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Role
from portal.trusthub import access, nda
from portal.trusthub.models import AccessLevel, DocumentDownload, NdaAcceptance, RequestStatus
from tests.factories import make_school, make_trust, make_user
from tests.trusthub.builders import SYSTEM, ensure_nda, make_document


@pytest.fixture
def cast(app):
    trust = make_trust("Northern Lights Learning Trust")
    admin = make_user("Tom Okafor", tenancy=trust, role=Role.TRUST_ADMIN, email="tom@northernlights.example")
    colleague = make_user("Grace Lin", tenancy=trust, role=Role.VIEWER, email="grace@northernlights.example")
    staff = make_user(
        "Vendor Staff", vendor_role=__import__("portal.auth.models", fromlist=["VendorRole"]).VendorRole.STAFF
    )
    document = make_document(AccessLevel.ON_REQUEST, title="Penetration test summary")
    ensure_nda()
    db.session.commit()
    return {"trust": trust, "admin": admin, "colleague": colleague, "staff": staff, "document": document}


def _move_clock(monkeypatch, to):
    for module in ("portal.trusthub.access", "portal.trusthub.views", "portal.trusthub.library"):
        monkeypatch.setattr(f"{module}.now", lambda: to)


def _ask(client_request, cast, who="admin"):
    client_request.sign_in(cast[who])
    response = client_request.post(
        "trusthub_member.request_document",
        {"tenancy": str(cast["trust"].id), "purpose": "Renewal due diligence."},
        document_id=cast["document"].id,
    )
    return int(response.location.rsplit("/", 1)[1])


def _approve(client_request, cast, request_id, days="7"):
    client_request.sign_in(cast["staff"])
    client_request.post("trusthub_admin.approve", {"days": days}, request_id=request_id)


def _accept(client_request, cast, request_id, who="admin"):
    client_request.sign_in(cast[who])
    client_request.post(
        "trusthub_member.accept_nda",
        {
            "version": str(nda.latest_nda().number),
            "signer_name": "Tom Okafor",
            "signer_role": "Trust business manager",
            "confirm": "y",
        },
        request_id=request_id,
    )


def _download(client, request_id):
    return client.get(f"/security/documents/requests/{request_id}/download")


def test_the_whole_journey(app, client, client_request, cast):
    request_id = _ask(client_request, cast)
    _approve(client_request, cast, request_id)
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.reference == f"access-request:{request_id}")
    ).all()
    assert [m.recipient for m in mail] == ["tom@northernlights.example"]
    assert "approved" in mail[0].subject and "/security/documents/requests/" in mail[0].body_text

    client_request.sign_in(cast["admin"])
    # Before the NDA: the download sends the requester to accept it.
    response = _download(client, request_id)
    assert response.status_code == 302 and response.location.endswith(f"/requests/{request_id}")
    page = client_request.get("trusthub_member.request_page", request_id=request_id)
    assert page.select_one("[data-nda-text]")
    _accept(client_request, cast, request_id)
    acceptance = db.session.scalars(select(NdaAcceptance)).one()
    latest = nda.latest_nda()
    assert (acceptance.tenancy_id, acceptance.user_id, acceptance.text_sha256) == (
        cast["trust"].id,
        cast["admin"].id,
        latest.sha256,
    )
    assert acceptance.ip == "127.0.0.1" and acceptance.user_agent

    response = _download(client, request_id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    stamp = f"Provided to Tom Okafor, Northern Lights Learning Trust, on {govuk_date(now())}."
    for page in PdfReader(io.BytesIO(response.data)).pages:
        assert stamp in page.extract_text()
    recorded = db.session.scalars(select(DocumentDownload)).one()
    assert (recorded.user_name, recorded.organisation, recorded.request_id) == (
        "Tom Okafor",
        "Northern Lights Learning Trust",
        request_id,
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trusthub.document_downloaded"))

    # The vendor sees who downloaded it, per document and per organisation.
    client_request.sign_in(cast["staff"])
    for endpoint, values in (
        ("trusthub_admin.document", {"document_id": cast["document"].id}),
        ("trusthub_admin.organisation", {"tenancy_id": cast["trust"].id}),
    ):
        rows = client_request.get(endpoint, **values).select_one("[data-downloads]").get_text(" ")
        assert "Tom Okafor" in rows

    # Revoked: the next download is refused at once.
    client_request.post("trusthub_admin.revoke", request_id=request_id)
    client_request.sign_in(cast["admin"])
    assert _download(client, request_id).status_code == 403


def test_expiry_ends_downloads(app, client, client_request, cast, monkeypatch):
    request_id = _ask(client_request, cast)
    _approve(client_request, cast, request_id, days="3")
    _accept(client_request, cast, request_id)
    assert _download(client, request_id).status_code == 200
    approved = access.get_request(request_id)
    expires = approved.expires_at if approved.expires_at.tzinfo else approved.expires_at.replace(tzinfo=dt.UTC)
    _move_clock(monkeypatch, expires - dt.timedelta(seconds=1))
    assert _download(client, request_id).status_code == 200
    _move_clock(monkeypatch, expires)
    assert _download(client, request_id).status_code == 403
    assert "has ended" in client.get(f"/security/documents/requests/{request_id}").get_data(as_text=True)


def test_an_accepted_nda_covers_the_organisation_until_the_text_changes(app, client, client_request, cast, monkeypatch):
    first = _ask(client_request, cast)
    _approve(client_request, cast, first)
    _accept(client_request, cast, first)
    # A colleague's later request needs no second acceptance.
    second = _ask(client_request, cast, who="colleague")
    _approve(client_request, cast, second)
    client_request.sign_in(cast["colleague"])
    assert _download(client, second).status_code == 200
    # A new NDA text: the next download asks again.
    original = nda.compose_nda

    def changed():
        text = original()
        text["clauses"].append({"heading": "New clause", "paragraphs": ["Changed."]})
        return text

    monkeypatch.setattr(nda, "compose_nda", changed)
    nda.publish_nda(actor=SYSTEM, summary="Added a clause.")
    db.session.commit()
    assert _download(client, second).status_code == 302
    assert db.session.scalars(select(NdaAcceptance)).all()[0].nda_version.number == 1


def test_refusal_is_mailed_with_the_reason(app, client_request, cast):
    request_id = _ask(client_request, cast)
    client_request.sign_in(cast["staff"])
    client_request.post("trusthub_admin.refuse", {"reason": "Shared under contract only."}, request_id=request_id)
    assert access.get_request(request_id).status is RequestStatus.REFUSED
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.reference == f"access-request:{request_id}")
    ).one()
    assert "Shared under contract only." in mail.body_text
    client_request.sign_in(cast["admin"])
    assert client_request.client.get(f"/security/documents/requests/{request_id}/download").status_code == 403


@pytest.mark.parametrize("days", ["0", "91", "-1", "seven"])
def test_expiry_outside_1_to_90_days_is_refused(app, client_request, cast, days):
    request_id = _ask(client_request, cast)
    client_request.sign_in(cast["staff"])
    page = client_request.post("trusthub_admin.approve", {"days": days}, _expected_status=400, request_id=request_id)
    assert "govuk-error-summary" in page.get_data(as_text=True)
    assert access.get_request(request_id).status is RequestStatus.PENDING


def test_someone_elses_request_is_not_found(app, client, client_request, cast):
    request_id = _ask(client_request, cast)
    _approve(client_request, cast, request_id)
    outsider = make_user("Outsider", tenancy=make_school("Elsewhere School"))
    client_request.sign_in(outsider)
    for path in ("", "/download"):
        assert client.get(f"/security/documents/requests/{request_id}{path}").status_code == 404


def test_a_second_request_while_one_is_pending_is_refused(app, client_request, cast):
    _ask(client_request, cast)
    page = client_request.post(
        "trusthub_member.request_document",
        {"tenancy": str(cast["trust"].id), "purpose": "Again."},
        _expected_status=400,
        document_id=cast["document"].id,
    )
    assert "already asked" in page.get_data(as_text=True)


def test_cannot_request_for_an_organisation_you_do_not_belong_to(app, client_request, cast):
    other = make_school("Elsewhere School")
    client_request.sign_in(cast["admin"])
    client_request.post(
        "trusthub_member.request_document",
        {"tenancy": str(other.id), "purpose": "Sneaky."},
        _expected_status=400,
        document_id=cast["document"].id,
    )
    assert not access.all_requests()


def test_uploads_are_rate_limited(app, client_request, cast):
    from tests.trusthub.builders import blank_pdf

    client_request.sign_in(cast["staff"])
    statuses = []
    for n in range(11):
        response = client_request.client.post(
            "/vendor/documents/new",
            data={
                "csrf_token": client_request.csrf_token(),
                "title": f"Doc {n}",
                "access_level": "public",
                "review_on": ["1", "3", "2028"],
                "document": (io.BytesIO(blank_pdf()), "doc.pdf"),
            },
            content_type="multipart/form-data",
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 10 + [429]


def test_nda_acceptances_cannot_be_altered(app, client_request, cast):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    request_id = _ask(client_request, cast)
    _approve(client_request, cast, request_id)
    _accept(client_request, cast, request_id)
    for statement in ("UPDATE nda_acceptance SET signer_name = 'Someone else'", "DELETE FROM nda_acceptance"):
        with pytest.raises(DBAPIError), db.session.begin_nested():
            db.session.execute(text(statement))
    assert db.session.scalars(select(NdaAcceptance)).one().signer_name == "Tom Okafor"
