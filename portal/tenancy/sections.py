"""What a tenancy's overview page links to: each capability adds its own section here."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.policy import Permission


@dataclass(frozen=True)
class Section:
    """A link on the tenancy overview: shown if the endpoint exists and the member holds the permission."""

    endpoint: str
    title: str | LazyString
    description: str | LazyString
    permission: Permission = Permission.VIEW_TENANCY


SECTIONS: list[Section] = [
    Section(
        "tenancy_register.effective_set",
        _l("Sub-processors for your school"),
        _l("Which suppliers process your school's data now, why, and what is about to change."),
    ),
    Section(
        "tenancy_register.options",
        _l("Options"),
        _l("Switch optional services, such as the AI fallback, on or off for your school."),
    ),
    Section(
        "changes.tenancy_objections",
        _l("Changes and objections"),
        _l("Announced changes, the date you can object until, and your objections."),
    ),
    Section(
        "documents.agreements",
        _l("Data processing agreement"),
        _l("Read, sign and download your data processing agreement."),
        Permission.DOWNLOAD_AGREEMENTS,
    ),
    Section(
        "dpia.pack", _l("DPIA pack"), _l("A draft DPIA and records of processing, filled in from your effective set.")
    ),
    Section(
        "incidents.index",
        _l("Incidents"),
        _l("Personal data breaches we told you about, your acknowledgements, and reporting a suspected incident."),
    ),
    Section(
        "exits.exit_case",
        _l("Ending the service"),
        _l("Ask to end the service, follow the export and deletion, and download the deletion certificate."),
    ),
    Section(
        "tenancy.members", _l("Members"), _l("Who can use this portal for your school."), Permission.MANAGE_MEMBERS
    ),
    Section(
        "audit.tenancy_log", _l("Audit log"), _l("Every action taken for your school."), Permission.VIEW_TENANCY_AUDIT
    ),
    Section(
        "tenancy_language.language",
        _l("Language"),
        _l("English or Cymraeg: the language of the mail and documents we send about your school."),
        Permission.MANAGE_OPTIONS,
    ),
]
