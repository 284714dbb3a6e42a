"""A real `flask jobs work` process SIGKILLed half way through a trust's signing job, then started again.

The job is committed before any worker runs (the starting worker's sweep finds it: nothing was sent
to the queue). Killed at whatever moment it reached, every academy counted done has its agreement and
no other has one (each item commits with its agreement); started again, the worker takes the job over
when the dead one's lease runs out and signs the rest. Each academy ends with exactly one agreement.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.audit.service import Actor
from portal.documents import keys, signing_jobs, versions
from portal.documents.models import Agreement
from portal.extensions import db
from portal.jobs.models import ItemState, Job, JobItem, JobState
from portal.tenancy.models import Role
from tests.conftest import TestDatabase
from tests.documents.conftest import acceptance, key_config, publish_register
from tests.factories import make_school, make_trust, make_user
from tests.jobworker import kill, start_job_worker, stop

pytestmark = pytest.mark.slow

ACADEMIES = 6
KILL_AFTER = 2


def ask_for_signing(app: Flask) -> int:
    """A trust of six academies and its committed signing job (as the sign press writes it)."""
    with app.app_context():
        publish_register("1.0", 1, [("hosting", "Civic Cloud Ltd", {}), ("email", "Postbox Mail Ltd", {})])
        versions.publish_text_version(actor=Actor.system("test"), summary="First version.")
        trust = make_trust("Killed Worker Trust", companies_house_number="09876543")
        academies = [make_school(f"Kill Academy {n}", trust=trust) for n in range(ACADEMIES)]
        admin = make_user("Tara Trust", tenancy=trust, role=Role.TRUST_ADMIN)
        job = signing_jobs.start(trust, academies, user=admin, acceptance=acceptance(), version_number=1)
        db.session.commit()
        job_id = int(job.id)
        db.session.remove()
    return job_id


def progress(app: Flask, job_id: int) -> tuple[Job, Counter[int], list[JobItem]]:
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        signed = Counter(db.session.scalars(select(Agreement.tenancy_id)).all())
        items = list(db.session.scalars(select(JobItem).where(JobItem.job_id == job_id)))
        db.session.expunge_all()
        db.session.remove()
    return job, signed, items


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_worker_killed_half_way_signs_each_academy_once_after_restart(
    fault_app: Flask, live_database: TestDatabase, tmp_path: Path
) -> None:
    signing_keys = keys.generate(tmp_path / "signing")
    fault_app.config.update(key_config(signing_keys))
    job_id = ask_for_signing(fault_app)
    settings = {**key_config(signing_keys), "JOBS_LEASE_SECONDS": 3}
    queue_url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    log = tmp_path / "worker.log"

    worker = start_job_worker(live_database.uri, queue_url, log, **settings)
    try:
        wait_for(lambda: progress(fault_app, job_id)[0].done >= KILL_AFTER, 180, "two academies signed")
    finally:
        kill(worker)
    job, signed, items = progress(fault_app, job_id)
    assert job.state is JobState.RUNNING and KILL_AFTER <= job.done < ACADEMIES, log.read_text()
    done = {i.target_id for i in items if i.state is ItemState.DONE}
    assert set(signed) == done and all(n == 1 for n in signed.values())  # each commit took both or neither

    worker = start_job_worker(live_database.uri, queue_url, log, **settings)
    try:
        wait_for(lambda: progress(fault_app, job_id)[0].finished, 240, "the restarted worker to finish")
    finally:
        stop(worker)
    job, signed, items = progress(fault_app, job_id)
    assert (job.done, job.failed, job.claims) == (ACADEMIES, 0, 2), log.read_text()
    assert sorted(signed.values()) == [1] * ACADEMIES  # every academy, each exactly once
    with fault_app.app_context():
        agreements = list(db.session.scalars(select(Agreement)))
        assert {a.id for a in agreements} == {i.result_id for i in items}
        assert len({a.submission_key for a in agreements}) == 1  # the job's one key
        db.session.remove()
