"""A GIAS extract uploaded through the console is read and applied by jobs whose progress the page shows (#26).

The in-process tests run the queued jobs here (tests/documents/jobqueue.py); the last one uploads a
generated extract of tens of thousands of rows to a real `flask jobs work` process, watches the page
count up while it reads and applies, kills the worker half way through applying and starts it again:
every row is applied once.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench.gias_import import build
from portal.audit.models import AuditEvent
from portal.auth.models import VendorRole
from portal.extensions import db, limiter
from portal.gias.models import BatchState, GiasEstablishment, GiasImportBatch, GiasUploadPart
from portal.gias.parse import parse
from portal.jobs.models import Job, JobState
from tests.conftest import TestDatabase, empty_database, harness_app
from tests.documents import jobqueue
from tests.factories import make_user
from tests.gias.extracts import establishment, establishments_csv
from tests.jobworker import kill, start_job_worker, stop
from tests.pages import PageClient, text_of

SMALL_PARTS = {"GIAS_PART_BYTES": 2000, "GIAS_APPLY_ROWS": 7}


def _schools(count: int, name: str = "Brontë Primary School") -> list[list[str]]:
    return [establishment(f"{141000 + n}", f"{name} {n}") for n in range(count)]


def _upload(client_request: Any, data: bytes, status: int = 302) -> Any:
    jobqueue.empty(client_request.app)
    return client_request.post(
        "gias.upload_post", {"extract": (io.BytesIO(data), "edubasealldata.csv")}, _expected_status=status
    )


def _batch_id(response: Any) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count(model.id))) or 0)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_file_read_in_parts_previews_and_applies_as_if_read_whole(client_request, vendor_admin, app):
    app.config.update(SMALL_PARTS)
    client_request.sign_in(vendor_admin)
    # Windows-1252, a duplicate across parts, a bad URN: what parse() finds reading the file in one go.
    data = establishments_csv([*_schools(60), establishment("141003", "Again"), establishment("99", "Typo")])
    assert data.decode("cp1252") and "ë".encode("cp1252") in data
    batch_id = _batch_id(_upload(client_request, data))

    page = client_request.get("gias.preview", batch_id=batch_id)
    assert page.h1.get_text(strip=True) == "Checking the file"
    parts = _count(GiasUploadPart)
    assert parts > 3  # cut into parts, stored with the batch and its job in the upload's transaction
    assert page.select_one("#job-count").get_text(strip=True) == (
        f"Checking the file: 0 of {parts + 1} parts read, 0 rows so far"
    )
    assert page.select_one("noscript meta[http-equiv=refresh]")["content"] == "3"
    assert page.select_one("[data-job-progress][data-refresh][data-reload-when-done]") is not None

    jobqueue.drain(client_request.app)
    batch = db.session.get(GiasImportBatch, batch_id)
    whole = parse(data)
    assert batch.state is BatchState.STAGED and batch.rows == whole.rows and batch.rejects == whole.rejects
    assert _count(GiasUploadPart) == 0  # the bytes are gone once read
    assert batch.rows[0]["name"] == "Brontë Primary School 0"
    text = text_of(client_request.get("gias.preview", batch_id=batch_id))
    assert "To create 60" in text and "URN 141003 appears more than once in the file" in text

    client_request.post("gias.confirm", batch_id=batch_id)
    job = db.session.get(Job, db.session.get(GiasImportBatch, batch_id).job_id)
    assert job.total == 60 // 7 + 1 + 1  # the chunks of rows, then the tenancies
    jobqueue.drain(client_request.app)
    assert _count(GiasEstablishment) == 60
    db.session.expire_all()
    assert db.session.get(GiasImportBatch, batch_id).summary["created"] == 60
    assert [a for a in _actions() if a.startswith("gias.")] == [
        "gias.uploaded",
        "gias.staged",
        "gias.import_started",
        "gias.imported",
    ]
    assert _actions().count("job.created") == 2 and _actions().count("job.finished") == 2


def test_a_file_broken_half_way_fails_with_its_reason_and_changes_nothing(client_request, vendor_admin, app):
    app.config.update(SMALL_PARTS)
    client_request.sign_in(vendor_admin)
    data = establishments_csv(_schools(40)) + b'141999,"383,Leeds'  # a quote never closed, parts in
    batch_id = _batch_id(_upload(client_request, data))
    jobqueue.drain(client_request.app)
    page = client_request.get("gias.preview", batch_id=batch_id)
    assert page.h1.get_text(strip=True) == "The file could not be read"
    assert "not a readable CSV file" in page.select_one("#batch-error").get_text()
    assert page.select_one("[data-refresh]") is None
    assert _count(GiasEstablishment) == 0 and _count(GiasUploadPart) == 0
    assert "gias.refused" in _actions()
    client_request.get("gias.confirmation", batch_id=batch_id, _expected_status=302)
    client_request.post("gias.confirm", batch_id=batch_id)
    assert "could not be read: upload a corrected file" in client_request.get("gias.preview", batch_id=batch_id).text
    assert _count(GiasEstablishment) == 0


def test_only_the_upload_takes_a_full_extract_and_only_from_staff_who_may(client_request, vendor_admin, data_lead, app):
    app.config["MAX_CONTENT_LENGTH"] = 20_000  # strict everywhere else
    data = establishments_csv(_schools(200))
    assert len(data) > 20_000
    client_request.sign_in(data_lead)
    _upload(client_request, data, status=413)  # refused before the body is read
    client_request.sign_in(vendor_admin)
    client_request.post("gias.confirm", {"name": "x" * 30_000}, batch_id=1, _expected_status=413)
    assert _count(GiasImportBatch) == 0
    _upload(client_request, data)
    assert _count(GiasImportBatch) == 1


def _read_count(client: PageClient, batch_id: int) -> tuple[str, int, int]:
    page = client.get("gias.preview", batch_id=batch_id)
    text, count = page.select_one("h1").get_text(strip=True), page.select_one("#job-count")
    if count is None:
        return text, -1, -1
    numbers = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+\d|\d", count.get_text())]
    return text, numbers[0], numbers[1]


def _watch(client: PageClient, batch_id: int, heading: str, timeout: float, until: Any) -> list[tuple[int, int]]:
    """The page's counts while it shows `heading`, as a person watching it sees them, until `until()`."""
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, f"timed out on {heading}: {seen}"
        shown, done, total = _read_count(client, batch_id)
        if shown == heading:
            seen.append((done, total))
        time.sleep(0.2)
    return seen


@pytest.fixture
def worker_app(live_database: TestDatabase) -> Iterator[Flask]:
    """The portal on a committed database, no context pushed: reads see what the worker committed."""
    app = harness_app(live_database.uri)
    limiter.reset()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        empty_database(live_database.uri)


@pytest.mark.slow
def test_a_large_upload_read_and_applied_by_a_real_worker_killed_half_way(
    worker_app: Flask, live_database: TestDatabase, tmp_path: Path
) -> None:
    rows = 20_000
    settings = {"GIAS_PART_BYTES": 128 * 1024, "GIAS_APPLY_ROWS": 1000, "JOBS_LEASE_SECONDS": 3}
    jobqueue.empty(worker_app)
    queue_url = worker_app.config["JOBS_QUEUE_URL"]  # the worker hears what the pages dispatch
    log = tmp_path / "worker.log"
    worker_app.config.update(settings, MAX_CONTENT_LENGTH=1024 * 1024)  # far below the file
    with worker_app.app_context():
        admin = make_user("Ada Admin", vendor_role=VendorRole.ADMIN)
        db.session.commit()
        client = PageClient(worker_app, worker_app.test_client())
        client.sign_in(admin)
        db.session.remove()
    # Started first: a worker takes a while to start on a busy machine, and waits for work.
    worker = start_job_worker(live_database.uri, queue_url, log, **settings)
    try:
        data = build(rows)
        expected = parse(data)
    except BaseException:
        stop(worker)
        raise
    assert len(data) > 3 * 1024 * 1024
    created = sum(1 for row in expected.rows if row["status"] != "Closed")

    def read(what: Callable[[], Any]) -> Any:
        with worker_app.app_context():
            try:
                return what()
            finally:
                db.session.remove()

    def batch() -> GiasImportBatch:
        found = read(
            lambda: db.session.get(
                GiasImportBatch,
                batch_id,
            )
        )
        assert found is not None
        return found  # type: ignore[no-any-return]

    def job() -> Job:
        found = read(lambda: db.session.get(Job, batch().job_id))
        assert found is not None
        return found  # type: ignore[no-any-return]

    def counted(model: Any) -> int:
        return read(lambda: _count(model))  # type: ignore[no-any-return]

    try:
        response = client.post("gias.upload_post", {"extract": (io.BytesIO(data), "edubasealldata.csv")})
        batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
        reading = _watch(client, batch_id, "Checking the file", 300, lambda: batch().state is not BatchState.PARSING)
        assert batch().state is BatchState.STAGED, (batch().error, log.read_text())
        parts = reading[-1][1]
        assert parts > 20 and any(0 < done < parts for done, _ in reading), reading  # watched it rise
        assert [done for done, _ in reading] == sorted(done for done, _ in reading)
        text = text_of(client.get("gias.preview", batch_id=batch_id))
        assert f"To create {created}" in text and f"Rejected rows {len(expected.rejects)}" in text

        client.get("gias.confirmation", batch_id=batch_id)
        client.post("gias.confirm", batch_id=batch_id)
        applying = _watch(client, batch_id, "Importing", 300, lambda: job().done >= 8)
    finally:
        kill(worker)  # half way through applying: no handler runs, nothing is cleaned up
    assert batch().state is BatchState.APPLYING and job().state is JobState.RUNNING, log.read_text()
    assert any(0 < done < len(expected.rows) for done, _ in applying), applying
    applied_so_far = batch().summary["created"]
    assert 0 < applied_so_far < created and counted(GiasEstablishment) == applied_so_far  # chunks committed whole

    worker = start_job_worker(live_database.uri, queue_url, log, **settings)
    try:
        _watch(client, batch_id, "Importing", 300, lambda: batch().state is BatchState.APPLIED)
    finally:
        stop(worker)
    assert job().claims == 2 and job().failed == 0, log.read_text()
    assert batch().summary["created"] == created == counted(GiasEstablishment)  # each row once
    assert read(_actions).count("gias.imported") == 1
    page = client.get("gias.preview", batch_id=batch_id)
    assert page.h1.get_text(strip=True) == "Import result" and f"Created {created}" in text_of(page)
