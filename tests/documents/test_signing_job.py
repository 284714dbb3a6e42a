"""A trust signs for all its academies with one press: a job, watched on a page that refreshes itself (#26)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.documents import signing
from portal.documents.models import Agreement
from portal.extensions import db
from portal.jobs.models import ItemState, Job, JobItem, JobState
from portal.tenancy.models import Role
from tests.documents import jobqueue
from tests.documents.conftest import acceptance
from tests.documents.test_views import DETAILS as VIEW_DETAILS
from tests.factories import make_school, make_trust, make_user

SIGN_DATA = {"confirm": "y", "version": "1", "submission_key": "job-form-key-0123456789"}
DETAILS = {**VIEW_DETAILS, "signer_name": "Tara Trust", "signer_role": "CEO"}


def trust_world(academies: int = 12) -> tuple[Any, list[Any], Any]:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    schools = [make_school(f"Star Academy {n:02d}", trust=trust) for n in range(academies)]
    admin = make_user("Tara Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    return trust, schools, admin


def ask(client_request: Any, trust: Any, targets: list[Any]) -> Job:
    """Choose every academy, then press sign once: the job page is where the press lands."""
    jobqueue.empty(client_request.app)
    data = {**DETAILS, "targets": [str(a.id) for a in targets]}
    client_request.post("documents.sign_details", data, tenancy=trust.slug)
    response = client_request.post("documents.sign", SIGN_DATA, tenancy=trust.slug)
    job = db.session.scalar(select(Job))
    assert job is not None
    assert response.location.endswith(client_request.url("documents.signing_job", tenancy=trust.slug, job_id=job.id))
    return job


def test_one_press_signs_every_academy_in_a_job_whose_page_counts_up(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust, academies, admin = trust_world(6)
    client_request.sign_in(admin)
    page = client_request.get("documents.sign_details", tenancy=trust.slug)
    assert len(page.select("input[name=targets][checked]")) == 6  # all of them, not a batch
    job = ask(client_request, trust, academies)
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 0  # nothing signed in the request

    page = client_request.get("documents.signing_job", tenancy=trust.slug, job_id=job.id)
    assert "Signing agreements: 0 of 6 done" in page.select_one("#job-count").get_text()
    assert page.select_one("noscript meta[http-equiv=refresh]")["content"] == "3"
    assert len(page.select("tbody tr")) == 6 and page.get_text().count("Waiting") == 6

    # A second press of the same form (double click, Back and again) makes no second job.
    client_request.post("documents.sign", SIGN_DATA, tenancy=trust.slug)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    # Another signing while this one runs is refused: two jobs could each sign one academy.
    client_request.post("documents.sign_details", {**DETAILS, "targets": [str(academies[0].id)]}, tenancy=trust.slug)
    other = {**SIGN_DATA, "submission_key": "another-form-key-0123456789"}
    refused = client_request.post("documents.sign", other, _expected_status=200, tenancy=trust.slug)
    assert "already being signed" in refused.select_one(".govuk-error-summary").get_text()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1

    assert jobqueue.drain(client_request.app) == ["6 done, 0 failed"]
    signed = list(db.session.scalars(select(Agreement)))
    assert sorted(a.tenancy_id for a in signed) == sorted(a.id for a in academies)
    assert all(a.signed_via_tenancy_id == trust.id and a.signer_name == "Tara Trust" for a in signed)
    page = client_request.get("documents.signing_job", tenancy=trust.slug, job_id=job.id)
    assert "Finished: 6 of 6 signed." in page.select_one("#job-count").get_text()
    assert page.select_one("noscript") is None and page.select_one("[data-refresh]") is None
    links = [a["href"] for a in page.select("tbody a")]
    assert sorted(links) == sorted(
        client_request.url("documents.download", tenancy=trust.slug, agreement_id=a.id) for a in signed
    )
    page = client_request.get("documents.agreements", tenancy=trust.slug)
    assert "The last signing finished: 6 of 6 signed." in page.get_text()
    assert page.find("a", string="See each academy's progress")["href"].endswith(f"/agreements/signing/{job.id}")
    actions = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert actions.count("job.created") == 1 and actions.count("job.finished") == 1
    assert actions.count("agreement.signed") == 6


def test_each_academy_is_signed_once_even_when_the_job_runs_again(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust, academies, admin = trust_world(3)
    client_request.sign_in(admin)
    job = ask(client_request, trust, academies)
    # A worker killed after the second academy's commit: its items show what was done, the rest pending.
    jobqueue.drain(client_request.app)
    first = {a.tenancy_id: a.id for a in db.session.scalars(select(Agreement))}
    db.session.execute(
        JobItem.__table__.update().where(JobItem.job_id == job.id).values(state=ItemState.PENDING, result_id=None)
    )
    db.session.execute(
        Job.__table__.update().where(Job.id == job.id).values(state=JobState.RUNNING, done=0, lease_until=None)
    )
    client_request.app.extensions["jobs_queue"].sweep()
    assert jobqueue.drain(client_request.app) == ["3 done, 0 failed"]
    again = {a.tenancy_id: a.id for a in db.session.scalars(select(Agreement))}
    assert again == first  # found by the job's key, not signed twice
    results = {i.target_id: i.result_id for i in db.session.scalars(select(JobItem))}
    assert results == first


def test_failures_say_why_and_can_be_retried(client_request: Any, text_v1: Any, register: Any) -> None:
    trust, academies, admin = trust_world(3)
    # Signed for this text version already, by the school itself: the job does not sign it again.
    earlier = signing.sign_agreement(academies[1], user=admin, acceptance=acceptance(), version_number=1)
    client_request.sign_in(admin)
    job = ask(client_request, trust, academies)
    jobqueue.drain(client_request.app)
    page = client_request.get("documents.signing_job", tenancy=trust.slug, job_id=job.id)
    assert "Finished: 2 of 3 signed. 1 could not be signed." in page.select_one("#job-count").get_text()
    failed_row = next(row for row in page.select("tbody tr") if academies[1].name in row.get_text())
    assert "Not signed" in failed_row.get_text() and "already signed" in failed_row.get_text()

    # Put right (here: that agreement is withdrawn), then retried: only the failed academy is signed.
    db.session.delete(earlier)
    db.session.flush()
    client_request.post("documents.signing_job_retry", {}, tenancy=trust.slug, job_id=job.id)
    assert jobqueue.drain(client_request.app) == ["3 done, 0 failed"]
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 3
    # A second press of retry finds nothing failed and queues nothing.
    client_request.post("documents.signing_job_retry", {}, tenancy=trust.slug, job_id=job.id)
    assert jobqueue.drain(client_request.app) == []


def test_another_trusts_job_is_not_found(client_request: Any, text_v1: Any, register: Any) -> None:
    trust, academies, admin = trust_world(1)
    client_request.sign_in(admin)
    job = ask(client_request, trust, academies)
    other = make_trust("Other Trust")
    other_admin = make_user("Olu Other", tenancy=other, role=Role.TRUST_ADMIN)
    client_request.sign_in(other_admin)
    client_request.get("documents.signing_job", _expected_status=404, tenancy=other.slug, job_id=job.id)
    client_request.post("documents.signing_job_retry", {}, _expected_status=404, tenancy=other.slug, job_id=job.id)


def test_the_job_page_reads_the_same_statements_for_few_academies_as_for_many(
    client_request: Any, count_queries: Any
) -> None:
    trust, _, admin = trust_world(1)
    client_request.sign_in(admin)

    def job_of(size: int) -> Job:
        job = Job(kind="trust_signing", tenancy_id=trust.id, params={}, total=size, done=size // 2)
        job.items = [
            JobItem(target_id=n, label=f"Academy {n}", position=n, state=ItemState.DONE if n % 2 else ItemState.FAILED)
            for n in range(size)
        ]
        for item in job.items:
            item.result_id = 1 if item.state is ItemState.DONE else None
            item.reason = None if item.state is ItemState.DONE else "A reason"
        db.session.add(job)
        db.session.flush()
        return job

    slug, few, many = trust.slug, job_of(2).id, job_of(40).id  # read now: the counts are the requests' own
    with count_queries() as small:
        client_request.get("documents.signing_job", tenancy=slug, job_id=few)
    with count_queries() as large:
        page = client_request.get("documents.signing_job", tenancy=slug, job_id=many)
    assert len(page.select("tbody tr")) == 40
    assert large.count == small.count
