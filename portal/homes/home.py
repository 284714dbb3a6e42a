"""What a tenancy's home shows: a school's task list, or a trust's table of academies by status.

The home is the tenancy overview page (`tenancy.overview`); tenancy cannot import the capabilities
whose state it shows, so this module answers the overview's signal (portal/tenancy/signals.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import gettext, ngettext

from portal.dates import govuk_date
from portal.dpia.freshness import Freshness, freshness_of, pack_status, pack_statuses
from portal.homes.status import TenancyStatus, tenancy_statuses
from portal.homes.tasks import change_status, may_open, school_tasks
from portal.register.effective import has_own_set
from portal.tenancy.models import Tenancy
from portal.tenancy.signals import overview_rendering


def _(text: str, **values: object) -> str:
    """gettext, typed: every string here is marked for translation."""
    return str(gettext(text, **values))


@dataclass(frozen=True)
class Filter:
    """A way to narrow a trust's table of academies, and what the trust can do for all of them at once."""

    key: str
    label: str
    action_endpoint: str | None = None
    action_text: str = ""

    def matches(self, row: AcademyRow) -> bool:
        status = row.status
        return {
            "all": True,
            "attention": status.needs_action or row.pack.out_of_date,
            "sign": status.agreement.needs_signature,
            "object": bool(status.to_object),
            "objections": bool(status.open_objections or status.exit_offers),
            "incidents": bool(status.incidents),
            "exit": status.exit_case is not None,
            "options": bool(status.pending_options),
            "dpia": row.pack.out_of_date,
        }[self.key]


def filters() -> list[Filter]:
    return [
        Filter("all", _("All academies")),
        Filter("attention", _("Needing action")),
        Filter("sign", _("Agreement to sign"), "documents.sign_details", _("Sign for these academies")),
        Filter(
            "object", _("Changes they can object to"), "changes.tenancy_objections", _("Object for several academies")
        ),
        Filter(
            "objections",
            _("Objections open or awaiting an answer"),
            "changes.tenancy_objections",
            _("See the objections"),
        ),
        Filter("incidents", _("Incidents to acknowledge")),
        Filter("exit", _("Ending the service")),
        Filter("options", _("Options waiting to be applied"), "tenancy_register.options", _("See the trust's options")),
        Filter("dpia", _("DPIA pack out of date"), "dpia.pack", _("See the academies' DPIA packs")),
    ]


@dataclass(frozen=True)
class AcademyRow:
    """One academy of a trust's table: its status in words, column by column."""

    status: TenancyStatus
    pack: Freshness

    @property
    def agreement(self) -> str:
        agreement = self.status.agreement
        if agreement.latest_agreement is None:
            return _("Not signed")
        if agreement.needs_signature:
            return _("Version %(n)s signed; a new version to sign", n=agreement.signed_version)
        return _("Version %(n)s signed", n=agreement.signed_version)

    @property
    def changes(self) -> list[str]:
        """Each change the academy may object to, with its state; then its objections' outcomes."""
        shown = [item for item in self.status.changes if item.objectable]
        lines = [f"{item.change.title}: {change_status(item)[0]}" for item in shown]
        for objection in self.status.outcomes:
            if any(item.objection is objection for item in shown):
                continue  # already said with its change
            if objection in self.status.exit_offers:
                outcome = _("Answer by %(day)s", day=govuk_date(objection.exit_answer_by))
            else:
                outcome = objection.exit_choice.label if objection.exit_choice is not None else objection.state.label
            lines.append(f"{objection.change.title}: {outcome}")
        return lines

    @property
    def options(self) -> str:
        pending = self.status.pending_options
        if pending:
            return str(ngettext("%(num)d waiting to be applied", "%(num)d waiting to be applied", len(pending)))
        on = [state.option.name for state in self.status.options if state.enabled]
        if not self.status.options:
            return _("No options offered")
        return _("On: %(names)s.", names=", ".join(on)) if on else _("Every option is off.")

    @property
    def incidents(self) -> str:
        count = len(self.status.incidents)
        if not count:
            return str(_("Nothing to acknowledge"))
        return str(ngettext("%(num)d to acknowledge", "%(num)d to acknowledge", count))

    @property
    def exit(self) -> str:
        case = self.status.exit_case
        return case.state.label if case is not None else _("No")

    @property
    def dpia(self) -> str:
        if self.pack.last is None:
            return _("Not downloaded")
        if self.pack.stale_since is not None:
            return _("Out of date since the download on %(day)s", day=govuk_date(self.pack.stale_since))
        return _("Up to date")


def trust_home(trust: Tenancy) -> dict[str, Any]:
    """The trust's table of academies, filtered as the query string asks, with the action for the filter;
    and, when its own central staff use the service, the trust's own task list and DPIA notice.

    The trust and its academies are read together: the same statements however many academies."""
    every = {f.key: f for f in filters()}
    chosen = every.get(request.args.get("show", "all"), every["all"])
    own = has_own_set(trust)
    academies = list(trust.academies)
    tenancies = [trust, *academies] if own else academies
    packs = pack_statuses(tenancies)
    statuses = tenancy_statuses(tenancies)
    trust_status = statuses.pop(0) if own else None
    every_row = [AcademyRow(s, freshness_of(packs[s.tenancy.id])) for s in statuses]
    counts = {key: sum(1 for row in every_row if f.matches(row)) for key, f in every.items()}
    rows = [row for row in every_row if chosen.matches(row)]
    action = None
    # A trust whose own staff use the service has its own pack on its DPIA page, not a list of its
    # academies': then each row's link to the academy's pack is the way there.
    leads_there = chosen.key != "dpia" or not own
    if chosen.action_endpoint and rows and leads_there and may_open(chosen.action_endpoint, trust):
        action = {"href": url_for(chosen.action_endpoint, tenancy=trust.slug), "text": chosen.action_text}
    found: dict[str, Any] = {
        "academy_rows": rows,
        "filters": list(every.values()),
        "chosen": chosen,
        "counts": counts,
        "action": action,
        "dpia_parts": packs.get(trust.id, []),  # no pack of its own unless its staff use the service
    }
    if trust_status is not None:
        found["task_groups"] = school_tasks(trust_status, packs[trust.id])
    return found


@overview_rendering.connect
def _home(sender: object, *, tenancy: Tenancy) -> dict[str, Any]:
    """A school's task list or a trust's table, and the DPIA pack's freshness for the notice."""
    if tenancy.is_trust:
        return trust_home(tenancy)
    parts = pack_status(tenancy)
    status = tenancy_statuses([tenancy])[0]
    return {"dpia_parts": parts, "task_groups": school_tasks(status, parts)}
