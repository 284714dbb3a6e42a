"""A school's home as a GOV.UK task list: each thing to know or do, its status, and the page to do it on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from portal import policy
from portal.changes.states import ObjectionState
from portal.dates import govuk_date
from portal.dpia.freshness import PartStatus, freshness_of
from portal.exits.states import ExitState
from portal.homes.status import OpenChange, TenancyStatus
from portal.tenancy.models import Tenancy


def _(text: str, **values: object) -> str:
    """gettext, typed: every string here is marked for translation."""
    return str(gettext(text, **values))


# GOV.UK task list statuses: a tag when something is to be done, plain text when nothing is.
TO_DO, WAITING, CLOSED = "govuk-tag--blue", "govuk-tag--yellow", "govuk-tag--red"


def may_open(endpoint: str, tenancy: Tenancy | None = None) -> bool:
    """Whether the signed-in person may open a page (so a home never shows a link that answers 403)."""
    rule = policy.rule_for(current_app, endpoint)
    if rule is None:
        return False
    if rule.kind == "tenancy":
        return tenancy is not None and policy.may(
            current_user, rule.permission or policy.Permission.VIEW_TENANCY, tenancy
        )
    if rule.kind == "vendor":
        return policy.may(current_user, rule.permission or policy.Permission.VENDOR_CONSOLE)
    return rule.kind in ("public", "signed_in")


@dataclass
class Task:
    """One row of the task list."""

    title: str
    status: str
    tag: str | None = None  # a tag class when the status needs attention; None for plain text
    href: str | None = None
    hint: str | None = None

    def params(self) -> dict[str, Any]:
        """The govukTaskList item."""
        item: dict[str, Any] = {"title": {"text": self.title}}
        if self.href:
            item["href"] = self.href
        if self.hint:
            item["hint"] = {"text": self.hint}
        if self.tag:
            item["status"] = {"tag": {"text": self.status, "classes": self.tag}}
        else:
            item["status"] = {"text": self.status}
        return item


@dataclass
class TaskGroup:
    heading: str
    tasks: list[Task] = field(default_factory=list)


def _link(endpoint: str, tenancy: Tenancy, **values: Any) -> str | None:
    return url_for(endpoint, tenancy=tenancy.slug, **values) if may_open(endpoint, tenancy) else None


def agreement_task(status: TenancyStatus) -> Task:
    tenancy, agreement = status.tenancy, status.agreement
    href = _link("documents.agreements", tenancy)
    title = _("Data processing agreement")
    signed = agreement.latest_agreement
    if agreement.latest_text is None:
        return Task(title, _("Not published yet"), href=href)
    if signed is None:
        return Task(title, _("Not signed"), TO_DO, href, _("Sign version %(n)s.", n=agreement.latest_text.number))
    when = govuk_date(signed.signed_at)
    done = _("Signed version %(n)s on %(when)s", n=agreement.signed_version, when=when)
    if agreement.needs_signature:
        hint = _("%(done)s. Version %(n)s is new.", done=done, n=agreement.latest_text.number)
        return Task(title, _("New version to sign"), TO_DO, href, hint)
    return Task(title, done, href=href)


def change_status(item: OpenChange) -> tuple[str, str | None]:
    """A change's status for one tenancy: days left to object, the objection's state, or why nothing is due."""
    objection = item.objection
    if objection is not None:
        if objection.state is ObjectionState.NOT_ACCOMMODATED and objection.exit_choice is None:
            return _("Answer by %(day)s", day=govuk_date(objection.exit_answer_by)), CLOSED
        return _("Objection: %(state)s", state=objection.state.label.lower()), WAITING if objection.is_open else None
    if not item.objectable:
        return _("Information only"), None
    if item.days_left <= 0:
        return _("Takes effect %(day)s", day=govuk_date(item.change.effective_on)), None
    return ngettext("%(num)d day left to object", "%(num)d days left to object", item.days_left), TO_DO


def change_tasks(status: TenancyStatus) -> list[Task]:
    tasks = []
    for item in status.changes:
        text, tag = change_status(item)
        hint = _("%(supplier)s, from %(day)s.", supplier=item.change.supplier, day=govuk_date(item.change.effective_on))
        href = _link("changes.tenancy_objections", status.tenancy, _anchor=f"change-{item.change.id}")
        tasks.append(Task(item.change.title, text, tag, href, hint))
    for objection in status.outcomes:
        if any(item.objection is objection for item in status.changes):
            continue  # already shown with its change
        title = _("Your objection to “%(title)s”", title=objection.change.title)
        text, tag = objection.state.label, None
        if objection in status.exit_offers:
            text, tag = _("Answer by %(day)s", day=govuk_date(objection.exit_answer_by)), CLOSED
        elif objection.exit_choice is not None:
            text = objection.exit_choice.label
        href = _link("changes.tenancy_objections", status.tenancy, _anchor=f"objection-{objection.id}")
        tasks.append(Task(title, text, tag, href))
    if not tasks:
        href = _link("changes.tenancy_objections", status.tenancy)
        tasks.append(Task(_("Changes and objections"), _("No changes announced"), href=href))
    return tasks


def incident_tasks(status: TenancyStatus) -> list[Task]:
    tenancy = status.tenancy
    tasks = [
        Task(
            _("Personal data breach: %(title)s", title=incident.title),
            _("To acknowledge"),
            TO_DO,
            _link("incidents.incident", tenancy, incident_id=incident.id),
            _("We became aware on %(day)s.", day=govuk_date(incident.aware_at)),
        )
        for incident in status.incidents
    ]
    if not tasks:
        tasks.append(Task(_("Incidents"), _("Nothing to acknowledge"), href=_link("incidents.index", tenancy)))
    return tasks


def exit_task(status: TenancyStatus) -> Task | None:
    case = status.exit_case
    if case is None:
        return None
    hint = None
    if case.state is ExitState.REQUESTED:
        hint = _("Export due by %(day)s.", day=govuk_date(case.export_due_on))
    elif case.state is ExitState.SERVICE_ENDED and case.deletion_due_on is not None:
        hint = _("Deletion due by %(day)s.", day=govuk_date(case.deletion_due_on))
    tag = None if case.state is ExitState.DELETION_CONFIRMED else WAITING
    return Task(_("Ending the service"), case.state.label, tag, _link("exits.exit_case", status.tenancy), hint)


def dpia_task(tenancy: Tenancy, parts: list[PartStatus]) -> Task:
    href = _link("dpia.pack", tenancy)
    title = _("DPIA pack")
    state = freshness_of(parts)
    if state.last is None:
        return Task(title, _("Not downloaded yet"), TO_DO, href)
    if state.stale_since is not None:
        return Task(
            title,
            _("Out of date since the download on %(day)s", day=govuk_date(state.stale_since)),
            TO_DO,
            href,
            state.change,
        )
    return Task(title, _("Up to date"), href=href, hint=_("Downloaded on %(day)s.", day=govuk_date(state.last)))


def options_task(status: TenancyStatus) -> Task:
    href = _link("tenancy_register.options", status.tenancy)
    title = _("Options")
    pending = status.pending_options
    if pending:
        names = ", ".join(s.option.name for s in pending)
        text = ngettext("%(num)d waiting to be applied", "%(num)d waiting to be applied", len(pending))
        return Task(title, text, WAITING, href, _("Waiting for the platform to apply: %(names)s.", names=names))
    on = [s.option.name for s in status.options if s.enabled]
    hint = _("On: %(names)s.", names=", ".join(on)) if on else _("Every option is off.")
    return Task(title, _("Applied") if status.options else _("No options offered"), href=href, hint=hint)


def school_tasks(status: TenancyStatus, parts: list[PartStatus]) -> list[TaskGroup]:
    """The school home's task list, grouped under headings."""
    ending = [task for task in [exit_task(status)] if task is not None]
    return [
        TaskGroup(_("Agreement and options"), [agreement_task(status), options_task(status)]),
        TaskGroup(_("Changes and objections"), change_tasks(status)),
        TaskGroup(_("Incidents and records"), [*incident_tasks(status), dpia_task(status.tenancy, parts), *ending]),
    ]
