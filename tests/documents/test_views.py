"""Agreement pages: read and sign, history, downloads (audited, hashed), a trust's bundle, text versions."""

from __future__ import annotations

import csv
import hashlib
import io
import stat
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, select, update

from portal.audit.models import AuditEvent
from portal.documents import signing
from portal.documents.models import Agreement, DpaTextVersion
from portal.extensions import db
from portal.tenancy.models import Role
from tests.documents import jobqueue
from tests.documents.conftest import acceptance
from tests.documents.streaming_zip import StreamingZipError, read_entries
from tests.factories import make_school, make_trust, make_user
from tests.pages import check_page

SIGN_DATA = {"confirm": "y", "version": "1"}
DETAILS = {
    "controller_address": "1 School Lane, Leeds LS2 1AA",
    "companies_house_number": "09876543",
    "dpo_name": "Sam Officer",
    "dpo_email": "dpo@school.example",
    "ico_registration": "za 123456",
    "notice_contact_name": "Nia Notice",
    "notice_contact_email": "notices@school.example",
    "signer_name": "Dana Lead",
    "signer_role": "Headteacher",
}


def has_link(page: Any, text: str) -> bool:
    return any(a.get_text(" ", strip=True) == text for a in page.find_all("a"))


def actions(name: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)))


def test_unsigned_school_is_asked_to_sign(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    page = client_request.get("documents.agreements", tenancy=school.slug)
    assert "has not signed" in page.get_text()
    assert has_link(page, "Read and sign version 1")


def test_viewer_sees_no_sign_button(client_request: Any, text_v1: Any, school: Any, viewer: Any) -> None:
    client_request.sign_in(viewer)
    page = client_request.get("documents.agreements", tenancy=school.slug)
    assert not has_link(page, "Read and sign version 1")


def test_data_lead_enters_the_parties_checks_the_annexes_and_signs(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    assert client_request.get("documents.sign", _expected_status=302, tenancy=school.slug)
    page = client_request.get("documents.sign_details", tenancy=school.slug)
    assert "The governing body of Oakfield Primary School" in page.get_text()
    assert page.find("input", {"name": "signer_name"})["value"] == data_lead.display_name
    client_request.post("documents.sign_details", DETAILS, tenancy=school.slug)
    page = client_request.get("documents.sign", tenancy=school.slug)
    text = page.get_text(" ", strip=True)
    assert "We act only on your documented instructions" in text and "Annex III" in text
    assert "Civic Cloud Ltd" in text and "Active" in text and "Sam Officer, dpo@school.example" in text
    assert has_link(page, f"Download the unsigned draft (PDF) for {school.name}")
    assert page.find("input", {"name": "version"})["value"] == "1"
    label = page.find("label", {"for": "confirm"}).get_text(" ", strip=True)
    assert label == (
        "I confirm that I have authority to enter into this agreement on behalf of "
        "The governing body of Oakfield Primary School."
    )
    client_request.post("documents.sign", SIGN_DATA, tenancy=school.slug)
    agreement = db.session.scalar(select(Agreement).where(Agreement.tenancy_id == school.id))
    assert agreement is not None and agreement.signer_name == "Dana Lead" and agreement.ip == "127.0.0.1"
    assert agreement.controller_name == "The governing body of Oakfield Primary School"
    assert (agreement.notice_contact_name, agreement.notice_contact_email) == ("Nia Notice", "notices@school.example")
    assert (agreement.dpo_name, agreement.ico_registration) == ("Sam Officer", "ZA123456")
    assert actions("agreement.signed")[0].ip == "127.0.0.1"
    page = client_request.get("documents.agreements", tenancy=school.slug)
    assert "signed the current version (1)" in page.get_text()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dpo_email", "not-an-email", "Enter the data protection officer's email address in the correct format"),
        ("ico_registration", "12", "Enter the ICO registration number as it appears on the ICO register"),
        ("notice_contact_email", "", "Enter the email address for notices"),
        ("controller_address", "", "Enter the controller's address"),
    ],
)
def test_bad_parties_are_form_errors_and_go_nowhere(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any, field: str, value: str, message: str
) -> None:
    client_request.sign_in(data_lead)
    page = client_request.post(
        "documents.sign_details", {**DETAILS, field: value}, _expected_status=200, tenancy=school.slug
    )
    assert message in page.select_one(".govuk-error-summary").get_text()
    assert client_request.get("documents.sign", _expected_status=302, tenancy=school.slug)


def test_sign_without_confirming_is_a_form_error_and_writes_nothing(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    client_request.post("documents.sign_details", DETAILS, tenancy=school.slug)
    page = client_request.post(
        "documents.sign", {**SIGN_DATA, "confirm": ""}, _expected_status=200, tenancy=school.slug
    )
    assert "Confirm that you have authority" in page.select_one(".govuk-error-summary").get_text()
    assert page.title.get_text().startswith("Error:")
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0


def test_download_serves_the_stored_bytes_with_their_hash(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any, viewer: Any
) -> None:
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    client_request.sign_in(viewer)
    response = client_request.client.get(
        client_request.url("documents.download", tenancy=school.slug, agreement_id=agreement.id)
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == agreement.pdf
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(response.data).hexdigest() == agreement.sha256
    assert f'filename="{agreement.filename}"' in response.headers["Content-Disposition"]
    assert "oakfield-primary-school" in agreement.filename
    assert [e.object_id for e in actions("agreement.downloaded")] == [str(agreement.id)]


def test_another_tenancys_agreement_is_404(
    client_request: Any, text_v1: Any, register: Any, school: Any, other_school: Any, data_lead: Any
) -> None:
    theirs = signing.sign_agreement(other_school, user=data_lead, acceptance=acceptance(), version_number=1)
    client_request.sign_in(data_lead)
    client_request.get("documents.download", _expected_status=404, tenancy=school.slug, agreement_id=theirs.id)


def test_history_page_queries_do_not_grow(
    client_request: Any, count_queries: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    with count_queries() as one:
        client_request.get("documents.agreements", tenancy=school.slug)
    for _ in range(3):
        signing.sign_agreement(school, user=data_lead, acceptance=acceptance(again=True), version_number=1)
    with count_queries() as four:
        client_request.get("documents.agreements", tenancy=school.slug)
    assert four.count == one.count


def make_trust_world() -> tuple[Any, list[Any], Any]:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    academies = [make_school(f"Star Academy {n}", trust=trust) for n in range(3)]
    admin = make_user("Tara Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    return trust, academies, admin


def test_trust_admin_signs_for_every_academy_then_downloads_one_zip(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust, academies, admin = make_trust_world()
    client_request.sign_in(admin)
    page = client_request.get("documents.sign_details", tenancy=trust.slug)
    ticked = [box["value"] for box in page.select("input[name=targets][checked]")]
    assert sorted(ticked) == sorted(str(a.id) for a in academies)
    assert str(trust.id) not in [box["value"] for box in page.select("input[name=targets]")]
    assert page.find("input", {"name": "companies_house_number"})["value"] == "09876543"  # from GIAS
    data = {**DETAILS, "signer_name": "Tara Trust", "signer_role": "CEO", "targets": ticked}
    client_request.post("documents.sign_details", data, tenancy=trust.slug)
    page = client_request.get("documents.sign", tenancy=trust.slug)
    assert len(page.select(".portal-annexes")) == 3
    jobqueue.empty(client_request.app)
    client_request.post("documents.sign", SIGN_DATA, tenancy=trust.slug)
    jobqueue.drain(client_request.app)
    signed = list(db.session.scalars(select(Agreement).order_by(Agreement.id)))
    assert {a.tenancy_id for a in signed} == {a.id for a in academies}
    assert all(a.signed_via_tenancy_id == trust.id for a in signed)
    assert len(actions("agreement.signed")) == 3

    page = client_request.get("documents.agreements", tenancy=trust.slug)
    assert page.get_text().count("Signed") >= 3
    response = client_request.client.get(client_request.url("documents.academies_zip", tenancy=trust.slug))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert [row["school"] for row in manifest] == [a.name for a in academies]
    by_hash = {a.sha256: a for a in signed}
    for row in manifest:
        assert row["urn"] and row["version"] == "1" and row["signer"] == "Tara Trust"
        pdf = archive.read(row["file"])
        assert hashlib.sha256(pdf).hexdigest() == row["sha256"] and pdf == by_hash[row["sha256"]].pdf
    assert actions("agreement.bundle_downloaded")[0].details["agreements"] == 3


def test_zip_holds_only_the_latest_agreement_of_each_academy(client_request: Any, text_v1: Any, register: Any) -> None:
    trust, academies, admin = make_trust_world()
    signing.sign_agreements(academies[:2], user=admin, acceptance=acceptance(), version_number=1, via=trust)
    again = acceptance("Second", again=True)
    latest = signing.sign_agreement(academies[0], user=admin, acceptance=again, version_number=1)
    client_request.sign_in(admin)
    body = client_request.client.get(client_request.url("documents.academies_zip", tenancy=trust.slug)).get_data()
    manifest = zipfile.ZipFile(io.BytesIO(body)).read("manifest.csv").decode()
    assert latest.sha256 in manifest and manifest.count("\n") == 3  # header + two academies


def test_trust_page_queries_do_not_grow_with_academies(
    client_request: Any, count_queries: Any, text_v1: Any, register: Any
) -> None:
    trust, academies, admin = make_trust_world()
    signing.sign_agreements(academies[:1], user=admin, acceptance=acceptance(), version_number=1, via=trust)
    client_request.sign_in(admin)
    with count_queries() as few:
        client_request.get("documents.agreements", tenancy=trust.slug)
    more = [make_school(f"Extra {n}", trust=trust) for n in range(4)]
    signing.sign_agreements(more, user=admin, acceptance=acceptance(), version_number=1, via=trust)
    with count_queries() as many:
        client_request.get("documents.agreements", tenancy=trust.slug)
    assert many.count == few.count


def test_vendor_admins_publish_a_new_version(client_request: Any, app: Any, vendor_admin: Any) -> None:
    client_request.sign_in(vendor_admin)
    client_request.post("vendor_agreements.text_versions", {"summary": "First version"})
    version = db.session.scalar(select(DpaTextVersion))
    assert version is not None and version.number == 1 and len(version.sha256) == 64
    assert hashlib.sha256(version.content.encode()).hexdigest() == version.sha256
    assert actions("agreement_text.published")[0].details["sha256"] == version.sha256
    response = client_request.post("vendor_agreements.text_versions", {"summary": "Again"}, _expected_status=400)
    page = check_page(response.get_data(as_text=True))
    assert "nothing new to publish" in page.select_one(".govuk-error-summary").get_text()
    page = client_request.get("vendor_agreements.text_versions")
    assert version.sha256 in page.get_text()


def test_zip_is_streamed_one_agreement_at_a_time(text_v1: Any, register: Any) -> None:
    from portal.documents import bundle

    trust, academies, admin = make_trust_world()
    signed = signing.sign_agreements(academies, user=admin, acceptance=acceptance(), version_number=1, via=trust)
    chunks = list(bundle.stream_zip(bundle.bundle_items(trust)))
    # The manifest, then one piece per agreement (plus the central directory): never one big blob.
    assert len([c for c in chunks if c]) >= len(signed) + 2
    assert max(len(c) for c in chunks) < max(a.size_bytes for a in signed) + 4096


def test_zip_opens_in_zipfile_and_in_a_streaming_reader_with_names_modes_and_manifest_that_agree(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust, academies, admin = make_trust_world()
    signed = signing.sign_agreements(academies, user=admin, acceptance=acceptance(), version_number=1, via=trust)
    # Two agreements with one file name: the second is told apart, and the manifest names it so.
    db.session.execute(update(Agreement).where(Agreement.id == signed[1].id).values(filename=signed[0].filename))
    client_request.sign_in(admin)
    body = client_request.client.get(client_request.url("documents.academies_zip", tenancy=trust.slug)).get_data()

    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_DEFLATED, info.filename
        assert stat.S_IMODE(info.external_attr >> 16) == 0o644 and stat.S_ISREG(info.external_attr >> 16)
    streamed = read_entries(body)
    assert streamed == {name: archive.read(name) for name in archive.namelist()}
    manifest = list(csv.DictReader(io.StringIO(streamed["manifest.csv"].decode())))
    assert sorted(row["file"] for row in manifest) == sorted(n for n in streamed if n != "manifest.csv")
    assert len({row["file"] for row in manifest}) == 3
    for row in manifest:
        assert hashlib.sha256(streamed[row["file"]]).hexdigest() == row["sha256"]


def test_the_streaming_reader_refuses_a_stored_entry_with_a_data_descriptor() -> None:
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            self.data += bytes(data)
            return len(data)

    sink = Unseekable()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as old_style:
        old_style.writestr("agreement.pdf", b"%PDF-1.7 as the bundle stored it before")
    with pytest.raises(StreamingZipError, match="only DEFLATED entries can have EXT descriptor"):
        read_entries(bytes(sink.data))
