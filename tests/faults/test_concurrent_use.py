"""Several people at once on the embedded default (#17): served as `make run` serves it, nothing fails or doubles.

The portal runs as `make run` runs it (portal/devtools/stack.py): `flask run` (Werkzeug's threaded
server) in a process of its own, configured by PORTAL_* variables only, with `flask outbox work`
delivering to a real SMTP sink. Eight threads act for four schools (two per school, so they
collide) for PORTAL_TEST_CONCURRENCY_SECONDS (20 s by default): they sign agreements (each form
sent twice at the same moment, as a double click does), switch an option, and lodge and withdraw
objections. Then:

- no answer is a 5xx;
- every signature accepted is stored exactly once (one agreement per form key), and none other;
- every option change accepted is audited exactly once;
- every objection accepted is stored, and withdrawn at most once;
- every message queued reaches the mail server, none twice.

The same on PostgreSQL. Before #17, on SQLite, signing answered 503 ("database is locked") while
another user saved an option, and retries made duplicate agreements.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.changes.models import Objection
from portal.changes.states import ObjectionState
from portal.devtools.mailsink import MailSink
from portal.documents import keys, versions
from portal.documents.models import Agreement
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from tests.changes.builders import ACTIVE_KEY, announced
from tests.conftest import ROOT, TestDatabase, base_config
from tests.factories import make_school, make_user, signed_in_form
from tests.faults.test_worker_kill import start_worker, wait_for
from tests.register.builders import make_option

pytestmark = pytest.mark.slow

THREADS = 8
SCHOOLS = 4
SECONDS = float(os.environ.get("PORTAL_TEST_CONCURRENCY_SECONDS", "20"))
OPTION = "fallback"


@dataclass
class World:
    url: str
    schools: list[str]  # slugs
    cookies: list[dict[str, str]]  # one signed-in data lead per school
    token: list[str]
    change_id: int


@dataclass
class Tally:
    """What the threads saw: every status, and what the server accepted."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    accepted_keys: set[str] = field(default_factory=set)
    sent_keys: set[str] = field(default_factory=set)
    options_saved: int = 0
    lodged: int = 0
    withdrawn: int = 0

    def saw(self, action: str, response: requests.Response) -> None:
        with self.lock:
            self.statuses[(action, response.status_code)] += 1
            if response.status_code >= 500:
                self.failures.append(f"{action} {response.request.url}: {response.status_code} {response.text[:300]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(uri: str, port: int, signing: keys.DemoKeys) -> subprocess.Popen[str]:
    """`flask run` as `make run` starts it (threaded, no reloader), configured by PORTAL_* only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    config = base_config(uri)
    env.update(
        FLASK_APP="wsgi",
        PORTAL_SQLALCHEMY_DATABASE_URI=uri,
        PORTAL_SECRET_KEY=config["SECRET_KEY"],
        # Outside tests the portal runs only on keys of its own (#18), as `make run` makes them.
        PORTAL_AUDIT_HASH_KEY=secrets.token_urlsafe(48),
        PORTAL_UNSUBSCRIBE_KEY=secrets.token_urlsafe(48),
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_RATELIMIT_ENABLED="false",  # the limits are tested elsewhere; here eight threads are one office
        PORTAL_SIGNING_PKCS12_PATH=str(signing.pkcs12_path),
        PORTAL_SIGNING_PKCS12_PASSWORD=signing.password,
        PORTAL_SIGNING_TRUST_ROOT_PATH=str(signing.root_path),
        PORTAL_MICROSOFT_METADATA_URL=config["MICROSOFT_METADATA_URL"],
        PORTAL_GOOGLE_METADATA_URL=config["GOOGLE_METADATA_URL"],
    )
    command = [str(ROOT / ".venv" / "bin" / "python"), "-m", "flask", "run", "--host", "127.0.0.1"]
    return subprocess.Popen(
        [*command, "--port", str(port), "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _build_world(app: Flask, url: str) -> World:
    with app.app_context():
        versions.publish_text_version(actor=Actor.system("test"), summary="First version.")
        change = announced()
        make_option(OPTION, default=True, governs=[ACTIVE_KEY], name="Fallback supplier")
        schools = [make_school(f"Busy School {n}") for n in range(SCHOOLS)]
        leads = [make_user(f"Lead {n}", tenancy=school) for n, school in enumerate(schools)]
        db.session.commit()
        signed_in = [signed_in_form(app, lead) for lead in leads]
        world = World(url, [s.slug for s in schools], [c for c, _ in signed_in], [t for _, t in signed_in], change.id)
        db.session.remove()
    return world


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert found is not None, f"no {name} on the page"
    return found.group(1)


class Person:
    """One thread: a data lead of one school, doing what data leads do, round and round."""

    def __init__(self, world: World, tally: Tally, n: int) -> None:
        self.world, self.tally, self.n = world, tally, n
        self.school = world.schools[n % SCHOOLS]
        self.cookies, self.token = world.cookies[n % SCHOOLS], world.token[n % SCHOOLS]
        self.base = f"{world.url}/t/{self.school}"
        self.http = requests.Session()

    def _get(self, action: str, path: str) -> requests.Response:
        response = self.http.get(self.base + path, cookies=self.cookies, timeout=60)
        self.tally.saw(action, response)
        return response

    def _post(
        self, action: str, path: str, data: dict[str, Any], http: requests.Session | None = None
    ) -> requests.Response:
        response = (http or self.http).post(
            self.base + path,
            data={"csrf_token": self.token, **data},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=60,
        )
        self.tally.saw(action, response)
        return response

    def sign(self) -> None:
        # Step 1 (#22): annex I and who signs, kept in the session for the check page.
        details = {
            "controller_address": "1 School Lane, Leeds LS2 1AA",
            "dpo_name": "Sam Officer",
            "dpo_email": "dpo@school.example",
            "ico_registration": "ZA123456",
            "notice_contact_name": "Nia Notice",
            "notice_contact_email": "notices@school.example",
            "signer_name": f"Signer {self.n}",
            "signer_role": "Headteacher",
        }
        answered = self._post("details", "/agreements/sign/details", details)
        if answered.status_code != 302:
            return
        self.cookies = {**self.cookies, **answered.cookies.get_dict()}
        # Step 2: the check page carries the declaration and its one-time key.
        page = self._get("sign page", "/agreements/sign")
        if page.status_code != 200:
            return
        key = _field(page.text, "submission_key")
        data = {"confirm": "y", "sign_again": "y"}
        data.update(version=_field(page.text, "version"), submission_key=key)
        with self.tally.lock:
            self.tally.sent_keys.add(key)
        twice = [requests.Session(), requests.Session()]  # a double click: the same form, twice, at once
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda http: self._post("sign", "/agreements/sign", data, http), twice))
        if any(answer.status_code == 302 for answer in answers):
            with self.tally.lock:
                self.tally.accepted_keys.add(key)

    def switch_option(self) -> None:
        page = self._get("options page", "/options")
        if page.status_code != 200:
            return
        on = re.search(rf'name="{OPTION}-enabled"[^>]*value="on"[^>]*checked', page.text) is not None
        data = {"option": OPTION, f"{OPTION}-enabled": "off" if on else "on"}
        data[f"{OPTION}-version"] = _field(page.text, f"{OPTION}-version")
        if self._post("option", "/options", data).status_code == 302:
            with self.tally.lock:
                self.tally.options_saved += 1

    def object_then_withdraw(self) -> None:
        change = self.world.change_id
        answer = self._post(
            "lodge", f"/changes/{change}/object", {f"change-{change}-grounds": f"Not assessed ({self.n})"}
        )
        if answer.status_code == 302:
            with self.tally.lock:
                self.tally.lodged += 1
        page = self._get("objections page", "/changes")
        for objection_id in set(re.findall(rf"/t/{re.escape(self.school)}/objections/(\d+)/withdraw", page.text)):
            if self._post("withdraw", f"/objections/{objection_id}/withdraw", {}).status_code == 302:
                with self.tally.lock:
                    self.tally.withdrawn += 1

    def run(self, until: float) -> None:
        steps: list[Callable[[], None]] = [self.sign, self.switch_option, self.object_then_withdraw, self.switch_option]
        step = self.n
        while time.monotonic() < until:
            steps[step % len(steps)]()
            step += 1


@pytest.fixture
def served(fault_app: Flask, live_database: TestDatabase, tmp_path: Path) -> Iterator[tuple[World, MailSink]]:
    """The portal and the outbox worker as `make run` runs them, on the live database, with a mail sink."""
    port = _free_port()
    world = _build_world(fault_app, f"http://127.0.0.1:{port}")
    sink = MailSink().start()
    server = _serve(live_database.uri, port, keys.generate(tmp_path / "signing"))
    worker = start_worker(live_database.uri, sink.port)
    try:
        wait_for(lambda: _answers(f"{world.url}/healthz"), timeout=60, what="the portal to answer")
        yield world, sink
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        sink.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_eight_people_at_once_lose_nothing_and_double_nothing(served: tuple[World, MailSink], fault_app: Flask) -> None:
    world, sink = served
    tally = Tally()
    until = time.monotonic() + SECONDS
    people = [threading.Thread(target=Person(world, tally, n).run, args=(until,)) for n in range(THREADS)]
    for person in people:
        person.start()
    for person in people:
        person.join(timeout=SECONDS + 120)

    assert not tally.failures, "\n".join(tally.failures[:10])
    assert tally.accepted_keys and tally.options_saved and tally.lodged, f"too little happened: {tally.statuses}"
    with fault_app.app_context():
        keyed = Counter(db.session.scalars(select(Agreement.submission_key)))
        assert set(keyed) == tally.accepted_keys, "every accepted signature is stored, and nothing else"
        assert set(keyed.values()) == {1}, f"a form made two agreements: {[k for k, n in keyed.items() if n > 1]}"
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tenancy.option_changed")
        )
        assert audited == tally.options_saved, "every option change is audited once"
        objections = db.session.scalar(select(func.count()).select_from(Objection))
        assert objections == tally.lodged
        withdrawn = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "objection.withdrawn")
        )
        # Two people of one school may withdraw the same objection at once: one does, the other is told so.
        state = Counter(db.session.scalars(select(Objection.state)))
        assert withdrawn == state[ObjectionState.WITHDRAWN] <= tally.withdrawn, "each objection withdrawn once"
        db.session.remove()

    def delivered() -> bool:
        with fault_app.app_context():
            statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
            db.session.remove()
        return set(statuses) <= {OutboxStatus.SENT} and len(sink.messages) >= statuses[OutboxStatus.SENT]

    wait_for(delivered, timeout=120, what="the worker to deliver every message")
    with fault_app.app_context():
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    assert queued and len(sink.messages) == queued, "every message queued reaches the mail server, once"
