"""Signing is idempotent (#17): one form, one agreement; signing a signed version again is a choice.

A double click, a retry after an error, or Back and resubmit sends the same one-time key: the
second submission makes nothing and shows the agreement the first made. The key travels on the
last step of the check-your-answers journey, the declaration under the annexes (#22). Races between two such
submissions are settled by the unique constraint (tests/faults/test_concurrent_use.py runs them
on a real server); here the constraint itself is checked on both databases.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.documents import signing
from portal.documents.models import Agreement
from portal.extensions import db
from portal.jobs.models import Job
from portal.tenancy.models import Role
from tests.documents import jobqueue
from tests.documents.conftest import acceptance
from tests.documents.test_views import DETAILS
from tests.factories import make_school, make_trust, make_user
from tests.pages import check_page, text_of

TYPED = {"confirm": "y", "version": "1"}


def _details(client_request: Any, tenancy: str, **typed: Any) -> None:
    """Step 1 of the journey: annex I and who signs, kept for the check page."""
    client_request.post("documents.sign_details", {**DETAILS, **typed}, tenancy=tenancy)


def _agreements() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Agreement)) or 0)


def _form_key(page: Any) -> str:
    field = page.find("input", {"name": "submission_key"})
    assert field is not None and field["type"] == "hidden", "the sign form carries its one-time key"
    return str(field["value"])


def _flash(client_request: Any, tenancy: str) -> str:
    return str(client_request.get("documents.agreements", tenancy=tenancy).get_text(" ", strip=True))


def test_the_same_form_sent_twice_signs_once(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    _details(client_request, school.slug)
    key = _form_key(client_request.get("documents.sign", tenancy=school.slug))
    assert key != _form_key(client_request.get("documents.sign", tenancy=school.slug)), "a fresh key per form"
    client_request.post("documents.sign", {**TYPED, "submission_key": key}, tenancy=school.slug)
    first = db.session.scalars(select(Agreement)).one()
    client_request.post("documents.sign", {**TYPED, "submission_key": key}, tenancy=school.slug)
    assert _agreements() == 1
    text = _flash(client_request, school.slug)
    assert "nothing new was signed" in text and first.filename in text


def test_back_and_resubmit_even_choosing_to_sign_again_makes_nothing_new(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    _details(client_request, school.slug)
    key = _form_key(client_request.get("documents.sign", tenancy=school.slug))
    client_request.post("documents.sign", {**TYPED, "submission_key": key}, tenancy=school.slug)
    _details(client_request, school.slug)  # Back through the journey: the same page, the same key
    client_request.post("documents.sign", {**TYPED, "submission_key": key, "sign_again": "y"}, tenancy=school.slug)
    assert _agreements() == 1


def test_the_sign_page_says_who_signed_this_version_and_re_signing_is_a_choice(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    _details(client_request, school.slug, signer_name="Dana Typed")
    page = client_request.get("documents.sign", tenancy=school.slug)
    assert page.find(id="already-signed") is None and page.find("input", {"name": "sign_again"}) is None
    signed_by = acceptance("Sam Signer", "Business manager")
    signing.sign_agreement(school, user=data_lead, acceptance=signed_by, version_number=1)
    db.session.commit()  # the page's own rollback of a refused form must not take it away

    page = client_request.get("documents.sign", tenancy=school.slug)
    panel = page.find(id="already-signed")
    assert panel is not None, "the page says this version is already signed"
    said = text_of(panel)
    assert "Version 1 was signed for Oakfield Primary School" in said and "Sam Signer (Business manager)" in said
    assert "sign again to record today's sub-processors" in said.lower()

    # A new form without the choice: refused, nothing saved, and the answers are still there to check.
    page = client_request.post(
        "documents.sign", {**TYPED, "submission_key": _form_key(page)}, _expected_status=200, tenancy=school.slug
    )
    assert "already signed" in page.select_one(".govuk-error-summary").get_text()
    assert "Dana Typed, Headteacher" in page.select_one(".govuk-summary-list").get_text(" ", strip=True)
    assert _agreements() == 1

    client_request.post(
        "documents.sign", {**TYPED, "submission_key": _form_key(page), "sign_again": "y"}, tenancy=school.slug
    )
    assert _agreements() == 2


def test_a_failure_on_our_side_brings_the_form_back_as_typed_and_saves_nothing(
    client_request: Any, signing_app: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    _details(client_request, school.slug, signer_name="Dana Typed", signer_role="Head of school")
    key = _form_key(client_request.get("documents.sign", tenancy=school.slug))
    signing_app.config["SIGNING_PKCS12_PATH"] = "/nonexistent/signing.p12"  # the seal cannot be made
    response = client_request.post(
        "documents.sign", {**TYPED, "submission_key": key}, _expected_status=503, tenancy=school.slug
    )
    page = check_page(response.get_data(as_text=True))
    assert "Nothing was saved" in page.select_one(".govuk-error-summary").get_text()
    assert "Dana Typed, Head of school" in page.select_one(".govuk-summary-list").get_text(" ", strip=True)
    assert _form_key(page) == key, "the same key comes back: nothing was made with it"
    assert _agreements() == 0


def test_a_malformed_key_is_refused_and_saves_nothing(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    _details(client_request, school.slug)
    page = client_request.post(
        "documents.sign", {**TYPED, "submission_key": "x' OR 1=1"}, _expected_status=200, tenancy=school.slug
    )
    assert "nothing was saved" in page.select_one(".govuk-error-summary").get_text()
    assert _agreements() == 0


def test_a_trust_signing_sent_twice_makes_one_job_that_signs_each_academy_once(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    academies = [make_school(f"Star Academy {n}", trust=trust) for n in range(2)]
    client_request.sign_in(make_user("Tara Trust", tenancy=trust, role=Role.TRUST_ADMIN))
    _details(client_request, trust.slug, targets=[str(a.id) for a in academies])
    key = _form_key(client_request.get("documents.sign", tenancy=trust.slug))
    data = {**TYPED, "submission_key": key}
    jobqueue.empty(client_request.app)
    first = client_request.post("documents.sign", data, tenancy=trust.slug)
    again = client_request.post("documents.sign", data, tenancy=trust.slug)
    assert again.location == first.location and "/agreements/signing/" in first.location  # the one job
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    jobqueue.drain(client_request.app)
    assert _agreements() == 2


def test_the_database_refuses_a_second_agreement_with_one_key(
    text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    keyed = dataclasses.replace(acceptance(), submission_key="k" * 32)
    first = signing.sign_agreement(school, user=data_lead, acceptance=keyed, version_number=1)
    twin = Agreement(
        **{c: getattr(first, c) for c in ("tenancy_id", "text_version_id", "signed_at", "signer_name", "signer_role")},
        capacity=first.capacity,
        annex=[],
        filename=first.filename,
        sha256="0" * 64,
        size_bytes=1,
        pdf=b"x",
        submission_key="k" * 32,
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twin)
        db.session.flush()
