"""A school's audit log in sentences: "Amira Shah signed the data processing agreement, version 1",
each linking to what it is about. Links are built by endpoint name, so audit imports no capability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from portal.audit.models import AuditEvent, Outcome


def _(text: str, **values: object) -> str:
    """gettext, typed: every string here is marked for translation."""
    return str(gettext(text, **values))


# The kinds of event a school can filter its log by: a label and the action prefixes it covers.
TYPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "agreement": (_l("Agreement"), ("agreement.",)),
    "changes": (_l("Changes and objections"), ("objection.", "change.")),
    "options": (_l("Options"), ("tenancy.option_", "tenancy.exclusion_")),
    "people": (_l("Members and invitations"), ("invitation.", "membership.")),
    "dpia": (_l("DPIA pack"), ("dpia.",)),
    "incidents": (_l("Incidents"), ("incident.",)),
    "exit": (_l("Ending the service"), ("exit.",)),
    "security": (_l("Security documents"), ("nda.", "trusthub.")),
    "sign_in": (_l("Signing in and out"), ("auth.",)),
}


@dataclass(frozen=True)
class Sentence:
    text: str
    href: str | None


def _objection_step(name: str) -> str:
    return {
        "objection.lodged": _("%(who)s objected to a change"),
        "objection.acknowledged": _("%(who)s acknowledged the objection"),
        "objection.accommodated": _("%(who)s accommodated the objection"),
        "objection.not_accommodated": _("%(who)s did not accommodate the objection"),
        "objection.exit_offered": _("%(who)s offered an exit after the objection"),
        "objection.withdrawn": _("%(who)s withdrew the objection"),
        "objection.change_accepted": _("%(who)s accepted the change after the objection"),
        "objection.exit_taken": _("%(who)s took the exit offered after the objection"),
        "objection.deadline_passed": _("The deadline to answer the exit offer passed: the change applies"),
        "objection.refused": _("%(who)s tried to object, and the objection was refused"),
    }.get(name, str(_("%(who)s: %(action)s")))


def _text(event: AuditEvent, details: dict[str, Any], who: str) -> str:
    action = event.action
    simple: dict[str, Any] = {
        "agreement.downloaded": _("%(who)s downloaded a signed data processing agreement"),
        "agreement.bundle_downloaded": _("%(who)s downloaded every academy's agreement"),
        "invitation.accepted": _("%(who)s accepted an invitation and joined"),
        "invitation.withdrawn": _("%(who)s withdrew an invitation"),
        "invitation.refused": _("%(who)s tried to accept an invitation, and was refused"),
        "membership.removed": _("%(who)s removed a member"),
        "membership.auto_joined": _("%(who)s joined as a viewer through the school's domain"),
        "incident.acknowledged": _("%(who)s acknowledged a personal data breach notice"),
        "incident.reported": _("%(who)s reported a suspected incident"),
        "incident.exported": _("%(who)s exported a breach for the breach log"),
        "exit.requested": _("%(who)s asked to end the service"),
        "exit.export_delivered": _("%(who)s recorded that the data export was delivered"),
        "exit.service_ended": _("%(who)s recorded that the service ended"),
        "exit.deleted_at": _("%(who)s recorded a deletion at a sub-processor"),
        "exit.deletion_confirmed": _("%(who)s confirmed the deletion"),
        "exit.withdrawn": _("%(who)s withdrew the request to end the service"),
        "exit.certificate_issued": _("%(who)s issued the deletion certificate"),
        "exit.certificate_downloaded": _("%(who)s downloaded the deletion certificate"),
        "nda.accepted": _("%(who)s accepted the non-disclosure agreement"),
        "trusthub.access_requested": _("%(who)s asked for a security document"),
        "trusthub.document_downloaded": _("%(who)s downloaded a security document"),
        "auth.sign_in": _("%(who)s signed in"),
        "auth.sign_out": _("%(who)s signed out"),
        "auth.sign_out_everywhere": _("%(who)s signed out on every device"),
        "tenancy.exclusion_applied": _("The platform confirmed it stopped using a supplier"),
        "tenancy.created": _("%(who)s set up this organisation in the portal"),
        "tenancy.directory_bound": _("%(who)s bound a sign-in directory"),
        "tenancy.directory_unbound": _("%(who)s removed a sign-in directory"),
        "tenancy.auto_join_changed": _("%(who)s changed domain auto-join"),
        "access.denied": _("%(who)s was refused access"),
        "auth.language_chosen": _("%(who)s chose the language of their pages and mail"),
        "tenancy.language_chosen": _("%(who)s chose the language of this organisation's mail and documents"),
    }
    if action in simple:
        return str(simple[action]) % {"who": who}
    if action == "agreement.signed":
        return _(
            "%(who)s signed the data processing agreement, version %(n)s", who=who, n=details.get("text_version", "?")
        )
    if action == "tenancy.option_changed":
        return _(
            "%(who)s switched “%(option)s” %(to)s", who=who, option=details.get("option", ""), to=details.get("to", "")
        )
    if action == "tenancy.option_applied":
        return str(_("The platform confirmed it applied an option"))
    if action == "invitation.created":
        return str(
            _("%(who)s invited someone as %(role)s", who=who, role=str(details.get("role", "")).replace("_", " "))
        )
    if action == "membership.role_changed":
        return str(_("%(who)s made a member %(role)s", who=who, role=str(details.get("to", "")).replace("_", " ")))
    if action == "dpia.download":
        return _(
            "%(who)s downloaded the DPIA pack (%(format)s)", who=who, format=str(details.get("format", "")).upper()
        )
    if action.startswith("objection."):
        return _objection_step(action) % {"who": who, "action": action}
    if action.startswith("incident."):
        return str(_("%(who)s updated a personal data breach (%(action)s)", who=who, action=action))
    return str(_("%(who)s: %(action)s", who=who, action=action))


_LINKS: dict[str, Callable[[AuditEvent, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "agreement.": lambda e, d: ("documents.agreements", {}),
    "objection.": lambda e, d: ("changes.tenancy_objections", {"_anchor": f"objection-{e.object_id}"}),
    "tenancy.option_": lambda e, d: ("tenancy_register.options", {}),
    "invitation.": lambda e, d: ("tenancy.members", {}),
    "membership.": lambda e, d: ("tenancy.members", {}),
    "dpia.": lambda e, d: ("dpia.pack", {}),
    "incident.": lambda e, d: ("incidents.incident", {"incident_id": e.object_id}),
    "exit.": lambda e, d: ("exits.exit_case", {}),
}


def _href(event: AuditEvent, details: dict[str, Any], slug: str | None) -> str | None:
    if slug is None or event.outcome is not Outcome.SUCCESS:
        return None
    for prefix, build in _LINKS.items():
        if event.action.startswith(prefix):
            endpoint, values = build(event, details)
            if "incident_id" in values and not str(values["incident_id"]).isdigit():
                return None
            try:
                return url_for(endpoint, tenancy=slug, **values)
            except BuildError:
                return None
    return None


def describe(event: AuditEvent, who: str, slug: str | None) -> Sentence:
    """The event as a sentence naming who did it, and a link to what it is about (None if nothing to open)."""
    details = event.details or {}
    text = _text(event, details, who)
    if event.reason and event.outcome is not Outcome.SUCCESS:
        text = _("%(sentence)s (%(reason)s)", sentence=text, reason=event.reason)
    return Sentence(text[:1].upper() + text[1:], _href(event, details, slug))
