"""Prometheus metrics at /metrics, for the on-call engineer's alerts; only with the configured bearer token.

Request counts and durations by route and status come from every request (in every gunicorn worker:
set PROMETHEUS_MULTIPROC_DIR and the scrape adds up all workers). What lives in the database (outbox
depth, the age of the oldest unsent message, failed mail, objections past their decision date) is read
at scrape time, by one short query each, so every worker and every machine reports the same truth.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from portal import policy
from portal.changes.models import ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.dates import now, uk_today
from portal.extensions import db
from portal.incidents.clock import NOTICE_HOURS
from portal.incidents.models import Incident
from portal.incidents.states import IncidentState
from portal.notify.models import OutboxMessage, OutboxStatus

bp = policy.declare(Blueprint("metrics", __name__), policy.PUBLIC)  # authorised by its bearer token below

REQUESTS = Counter("portal_http_requests", "Requests answered, by route and status", ["route", "method", "status"])
DURATION = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by route",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


@dataclass(frozen=True)
class Gauge:
    """A number read from the database at scrape time."""

    name: str
    help: str
    read: Callable[[], float]


UNSENT = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


def _outbox_depth() -> float:
    return float(db.session.scalar(select(func.count()).where(OutboxMessage.status.in_(UNSENT))) or 0)


def _outbox_oldest_age() -> float:
    oldest = db.session.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status.in_(UNSENT)))
    return max(0.0, (now() - oldest).total_seconds()) if oldest else 0.0


def _outbox_failed() -> float:
    return float(db.session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)) or 0)


def _objections_overdue() -> float:
    """Objections still awaiting a decision after the change they object to took effect elsewhere."""
    undecided = (ObjectionState.LODGED, ObjectionState.ACKNOWLEDGED)
    query = (
        select(func.count())
        .select_from(Objection)
        .join(ChangeNotice, Objection.change_id == ChangeNotice.id)
        .where(Objection.state.in_(undecided), ChangeNotice.effective_on <= uk_today())
    )
    return float(db.session.scalar(query) or 0)


def _incidents_inside_clock() -> float:
    """Incidents not yet notified to schools while their 72-hour clock from awareness still runs."""
    started = now() - dt.timedelta(hours=NOTICE_HOURS)
    query = select(func.count()).where(
        Incident.state.in_((IncidentState.REPORTED, IncidentState.DRAFT)), Incident.aware_at > started
    )
    return float(db.session.scalar(query) or 0)


def _incidents_past_clock() -> float:
    """Incidents still not notified although 72 hours from awareness have passed: a broken promise."""
    started = now() - dt.timedelta(hours=NOTICE_HOURS)
    query = select(func.count()).where(Incident.state == IncidentState.DRAFT, Incident.aware_at <= started)
    return float(db.session.scalar(query) or 0)


# Each capability that has something an on-call engineer must see adds its gauge here.
GAUGES: list[Gauge] = [
    Gauge("portal_outbox_pending", "Mail messages waiting to be delivered", _outbox_depth),
    Gauge("portal_outbox_oldest_pending_seconds", "Age of the oldest undelivered mail message", _outbox_oldest_age),
    Gauge("portal_outbox_failed", "Mail messages that failed for good", _outbox_failed),
    Gauge(
        "portal_incidents_inside_clock", "Incidents not yet notified, inside their 72 hours", _incidents_inside_clock
    ),
    Gauge("portal_incidents_past_clock", "Incidents not notified 72 hours after awareness", _incidents_past_clock),
    Gauge(
        "portal_objections_overdue",
        "Objections undecided on or after their change's effective date",
        _objections_overdue,
    ),
]


class DatabaseCollector(Collector):
    """The gauges above, read when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        for gauge in GAUGES:
            family = GaugeMetricFamily(gauge.name, gauge.help)
            family.add_metric([], gauge.read())
            yield family


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_count)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    if route != "/metrics":
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            DURATION.labels(route).observe(time.perf_counter() - started)
    return response


def registry() -> CollectorRegistry:
    """What a scrape reports: this process's (or, under gunicorn, every worker's) counters, and the gauges."""
    found = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(found)  # type: ignore[no-untyped-call]
    else:
        found.register(_ProcessMetrics())
    found.register(DatabaseCollector())
    return found


class _ProcessMetrics(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REQUESTS.collect()
        yield from DURATION.collect()


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics, to a scraper holding METRICS_TOKEN; everyone else gets 404, as if there were none."""
    expected = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), str(expected).encode()):
        abort(404)
    body = generate_latest(registry())
    db.session.rollback()
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
