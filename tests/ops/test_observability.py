"""Logs, metrics and error reports: what an on-call engineer sees, and what never leaves in clear."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from flask import Flask
from sentry_sdk.transport import Transport
from sqlalchemy import update

from portal import create_app, policy
from portal.audit.service import Actor
from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.documents import versions
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.outbox import enqueue
from portal.notify.worker import deliver_due
from portal.ops import logs, reporting
from tests.conftest import base_config
from tests.factories import agreement_row, sign_in_client

TOKEN = "metrics-token-" + "y" * 24


def scrape(client: Any, token: str | None = TOKEN) -> tuple[int, dict[str, float]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/metrics", headers=headers)
    values: dict[str, float] = {}
    if response.status_code != 200:
        return response.status_code, values
    for line in response.get_data(as_text=True).splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return response.status_code, values


def test_metrics_do_not_exist_without_the_token(app, client):
    app.config["METRICS_TOKEN"] = None
    assert scrape(client)[0] == 404
    app.config["METRICS_TOKEN"] = TOKEN
    assert scrape(client, token=None)[0] == 404
    assert scrape(client, token="wrong-" + TOKEN)[0] == 404
    status, values = scrape(client)
    assert status == 200
    assert status == 200
    assert "portal_outbox_pending" in values
    assert {"portal_incidents_inside_clock", "portal_incidents_past_clock", "portal_objections_overdue"} <= set(values)


def test_requests_are_counted_by_route_template_and_status(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    before = scrape(client)[1]
    key = 'portal_http_requests_total{method="GET",route="/sub-processors",status="200"}'
    missing = 'portal_http_requests_total{method="GET",route="unmatched",status="404"}'
    assert client.get("/sub-processors").status_code == 200
    assert client.get("/no-such-page/with-a-secret").status_code == 404
    after = scrape(client)[1]
    assert after[key] == before.get(key, 0) + 1
    assert after[missing] == before.get(missing, 0) + 1
    assert not any("with-a-secret" in name for name in after)  # paths never become labels


def test_outbox_depth_rises_while_the_relay_is_down_and_falls_when_it_is_back(app, client):
    app.config["METRICS_TOKEN"] = TOKEN
    for n in range(3):
        enqueue(to=f"lead{n}@school.example", subject="Change", text="Body", category="test")
    db.session.commit()
    status, values = scrape(client)
    assert status == 200
    assert values["portal_outbox_pending"] == 3
    assert values["portal_outbox_oldest_pending_seconds"] >= 0

    report = deliver_due()  # SMTP_PORT 1: nothing listens, every message waits for a retry
    assert report.sent == 0
    assert scrape(client)[1]["portal_outbox_pending"] == 3

    with MailSink() as sink:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        db.session.execute(update(OutboxMessage).values(next_attempt_at=now()))  # the retry time has come
        db.session.commit()
        assert deliver_due().sent == 3
        assert len(sink.messages) == 3
    assert scrape(client)[1]["portal_outbox_pending"] == 0


# ---------------------------------------------------------------------------------------------
# Logs


def test_one_json_line_per_request_with_its_id_and_no_email_address(app, client, caplog):
    with caplog.at_level(logging.INFO, logger=logs.REQUEST_LOGGER):
        response = client.get("/sub-processors", headers={"User-Agent": "probe"})
    (record,) = [r for r in caplog.records if r.name == logs.REQUEST_LOGGER]
    line = json.loads(logs.formatter("json").format(record))
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["route"] == "/sub-processors"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["user_id"] is None


def test_a_request_that_commits_logs_its_user_and_tenancy_without_reading_them_again(
    app, client, caplog, count_queries, school, data_lead
):
    text = versions.publish_text_version(actor=Actor.system("test"), summary="First.")
    agreement = agreement_row(school, text)
    db.session.commit()
    sign_in_client(client, data_lead)
    url = f"/t/{school.slug}/agreements/{agreement.id}/download"
    client.get(url).close()  # the session refresh
    with caplog.at_level(logging.INFO, logger=logs.REQUEST_LOGGER), count_queries() as counter:
        assert client.get(url).status_code == 200  # an audited download: the view commits
    (record,) = [r for r in caplog.records if r.name == logs.REQUEST_LOGGER]
    assert (record.user_id, record.tenancy_id) == (data_lead.id, school.id)
    # Nothing after the view's own commit: the log line read no expired row back.
    assert "INSERT INTO audit" in counter.statements[-1], counter.statements


@pytest.mark.parametrize(
    ("message", "leak"),
    [
        ("recipient refused: amira.shah@aurora.sch.uk", "amira.shah@aurora.sch.uk"),
        ("callback with code=Zx81kd9aQ2lLmmn0pp and state=abcdefgh12345678", "Zx81kd9aQ2lLmmn0pp"),
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "eyJhbGciOiJSUzI1NiJ9"),
    ],
)
def test_the_log_filter_takes_addresses_and_tokens_out(message, leak):
    record = logging.LogRecord("portal", logging.ERROR, __file__, 1, "%s", (message,), None)
    assert logs.Redact().filter(record)
    for kind in ("json", "plain"):
        assert leak not in logs.formatter(kind).format(record)


# ---------------------------------------------------------------------------------------------
# Error reports


class Captured(Transport):
    """Sentry's own transport interface, keeping envelopes here instead of sending them."""

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.envelopes: list[Any] = []

    def capture_envelope(self, envelope: Any) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def reporting_app(database) -> Iterator[tuple[Flask, Captured]]:
    app = create_app({**base_config(database.uri), "SENTRY_DSN": "https://public@127.0.0.1/1"})

    @app.get("/t/<slug:tenancy>/explode/<token>")
    @policy.allow(policy.PUBLIC)
    def explode(tenancy: str, token: str) -> str:
        raise RuntimeError(f"could not mail amira.shah@aurora.sch.uk about {token}")

    transport = Captured()
    reporting.init_app(app, transport=transport)
    try:
        yield app, transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: reporting off again for the rest of the run
        with app.app_context():
            db.engine.dispose()


def test_error_reports_carry_no_email_name_or_token(reporting_app):
    app, transport = reporting_app
    token = "Qm9vbGVhbkZsYWdTdHJpbmdUb2tlbjEyMzQ1Ng"
    client = app.test_client()
    client.set_cookie("portal_session", "session-secret-value")
    response = client.post(
        f"/t/aurora/explode/{token}?email=amira.shah@aurora.sch.uk",
        data={"name": "Amira Shah", "email": "amira.shah@aurora.sch.uk"},
    )
    assert response.status_code in (400, 405, 500)
    response = client.get(f"/t/aurora/explode/{token}?next=/account")
    assert response.status_code == 500
    sentry_sdk.flush()
    events = [item.payload.json for env in transport.envelopes for item in env.items if item.type == "event"]
    assert events, "the unhandled error was reported"
    sent = json.dumps(events)
    for secret in ("amira.shah", "aurora.sch.uk", "Amira Shah", token, "session-secret-value"):
        assert secret not in sent
    assert "RuntimeError" in sent  # what failed is still there to act on


def test_a_server_error_page_quotes_the_request_id_its_log_line_carries(reporting_app, caplog):
    app, _ = reporting_app
    with caplog.at_level(logging.INFO, logger=logs.REQUEST_LOGGER):
        response = app.test_client().get("/t/aurora/explode/x")
    assert response.status_code == 500
    reference = response.headers["X-Request-Id"]
    assert f"quote this reference: {reference}" in response.get_data(as_text=True)
    (record,) = [r for r in caplog.records if r.name == logs.REQUEST_LOGGER]
    assert record.request_id == reference and record.status == 500
