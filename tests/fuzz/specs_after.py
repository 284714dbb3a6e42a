"""Fuzz specs for the incident and exit forms (added to SPECS in specs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.dates import now, uk_today
from tests.access.matrix import World
from tests.access.rules_exits import _ended, _open
from tests.access.rules_incidents import _draft, _notified, _reported
from tests.fuzz.specs import CHOICE, DATE, HEADER, TEXT, Field, Spec, date

Prepared = tuple[dict[str, Any], dict[str, Field]]


def _incident_fields() -> dict[str, Field]:
    aware = now() - dt.timedelta(days=2)
    week_ago = uk_today() - dt.timedelta(days=7)
    fields = {
        "title": Field(HEADER, "Misdirected export"),
        "aware_date": Field(DATE, date(aware.date())),
        "aware_time": Field(TEXT, "09:30"),
        "what_happened": Field(TEXT, "An export went to the wrong address."),
        "entry_keys": Field(CHOICE, [], ("hostwell", "azure-openai")),
        "services": Field(TEXT, "Reports"),
        "data_categories": Field(TEXT, "Pupil names"),
        "period_start": Field(DATE, date(week_ago)),
        "period_end": Field(DATE, date(week_ago)),
    }
    for name in ("nature", "consequences", "measures", "contact"):
        fields[name] = Field(TEXT, "Known.")
        fields[f"{name}_unknown_reason"] = Field(TEXT, "")
    return fields


def _new(world: World) -> Prepared:
    return {}, _incident_fields()


def _edit(world: World) -> Prepared:
    return {"incident_id": _draft(world).id}, _incident_fields()


def _add(world: World) -> Prepared:
    return {"incident_id": _draft(world).id}, {
        "add-school": Field(TEXT, world.trust.slug),
        "add-reason": Field(TEXT, "Its export was misdirected too."),
    }


def _remove(world: World) -> Prepared:
    return {"incident_id": _draft(world).id}, {
        "remove-school": Field(TEXT, world.own.slug),
        "remove-reason": Field(TEXT, "The export never reached it."),
    }


def _update(world: World) -> Prepared:
    return {"incident_id": _notified(world).id}, {
        "update-text": Field(TEXT, "The recipient deleted the file."),
        "update-submission_key": Field(TEXT, "k" * 32),
    }


def _close(world: World) -> Prepared:
    return {"incident_id": _notified(world).id}, {"close-outcome": Field(TEXT, "Contained.")}


def _dismiss(world: World) -> Prepared:
    return {"incident_id": _reported(world).id}, {"dismiss-reason": Field(TEXT, "The work was the pupil's own.")}


def _report(world: World) -> Prepared:
    return {}, {
        "what": Field(TEXT, "A pupil saw another's work."),
        "noticed_on": Field(DATE, date(uk_today())),
        "contact": Field(TEXT, "School office"),
    }


def _request_exit(world: World) -> Prepared:
    return {}, {
        "requested_end_on": Field(DATE, date(uk_today() + dt.timedelta(days=30))),
        "export_formats": Field(CHOICE, "csv", ("json", "pdf", "xml")),
        "reason": Field(TEXT, "Moving provider."),
    }


def _withdraw_exit(world: World) -> Prepared:
    _open(world, world.own)
    return {}, {"withdraw_reason": Field(TEXT, "Staying after all.")}


def _export(world: World) -> Prepared:
    return {"exit_id": _open(world).id}, {
        "export-method": Field(TEXT, "Secure link"),
        "export-delivered_on": Field(DATE, date(uk_today())),
        "export-sha256": Field(TEXT, "ab" * 32),
    }


def _end(world: World) -> Prepared:
    return {"exit_id": _open(world, formats=()).id}, {"end-ended_on": Field(DATE, date(uk_today()))}


def _confirm_at(world: World) -> Prepared:
    case = _ended(world)
    place = case.deletions[0]
    return {"exit_id": case.id, "deletion_id": place.id}, {
        f"place-{place.id}-confirmed_on": Field(DATE, date(uk_today())),
        f"place-{place.id}-note": Field(TEXT, "Backups expired."),
    }


SPECS: list[Spec] = [
    Spec("incidents.acknowledge", "data_lead", lambda w: ({"incident_id": _notified(w).id}, {}), tenancy="own"),
    Spec("incidents.report", "data_lead", _report, tenancy="own", max_examples=10),
    Spec("incidents_admin.new", "vendor_staff", _new, max_examples=10),
    Spec("incidents_admin.edit", "vendor_staff", _edit),
    Spec("incidents_admin.add_tenancy", "vendor_staff", _add),
    Spec("incidents_admin.remove_tenancy", "vendor_staff", _remove),
    Spec("incidents_admin.notify", "vendor_admin", lambda w: ({"incident_id": _draft(w).id}, {})),
    Spec("incidents_admin.post_update", "vendor_staff", _update),
    Spec("incidents_admin.close", "vendor_staff", _close),
    Spec("incidents_admin.accept", "vendor_staff", lambda w: ({"incident_id": _reported(w).id}, {})),
    Spec("incidents_admin.dismiss", "vendor_staff", _dismiss),
    Spec(
        "incidents_admin.remind",
        "vendor_staff",
        lambda w: ({"incident_id": _notified(w, hours_ago=25).id}, {}),
    ),
    Spec("exits.request_exit", "data_lead", _request_exit, tenancy="own"),
    Spec("exits.withdraw", "data_lead", _withdraw_exit, tenancy="own"),
    Spec("exits_admin.record_export", "vendor_staff", _export),
    Spec("exits_admin.end_service", "vendor_staff", _end),
    Spec("exits_admin.confirm_at", "vendor_staff", _confirm_at),
    # One place not yet confirmed: always refused, so nothing is sealed under the fuzzer.
    Spec("exits_admin.confirm", "vendor_staff", lambda w: ({"exit_id": _ended(w).id}, {}), valid_status=400),
]
