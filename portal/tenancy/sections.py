"""What a tenancy's overview page links to: each capability adds its own section here."""

from __future__ import annotations

from dataclasses import dataclass

from portal.policy import Permission


@dataclass(frozen=True)
class Section:
    """A link on the tenancy overview: shown if the endpoint exists and the member holds the permission."""

    endpoint: str
    title: str
    description: str
    permission: Permission = Permission.VIEW_TENANCY


SECTIONS: list[Section] = [
    Section(
        "tenancy_register.effective_set",
        "Sub-processors for your school",
        "Which suppliers process your school's data now, why, and what is about to change.",
    ),
    Section(
        "tenancy_register.options",
        "Options",
        "Switch optional services, such as the AI fallback, on or off for your school.",
    ),
    Section(
        "changes.tenancy_objections",
        "Changes and objections",
        "Announced changes, the date you can object until, and your objections.",
    ),
    Section(
        "documents.agreements",
        "Data processing agreement",
        "Read, sign and download your data processing agreement.",
        Permission.DOWNLOAD_AGREEMENTS,
    ),
    Section("dpia.pack", "DPIA pack", "A draft DPIA and records of processing, filled in from your effective set."),
    Section(
        "incidents.index",
        "Incidents",
        "Personal data breaches we told you about, your acknowledgements, and reporting a suspected incident.",
    ),
    Section(
        "exits.exit_case",
        "Ending the service",
        "Ask to end the service, follow the export and deletion, and download the deletion certificate.",
    ),
    Section(
        "tenancy_language.language",
        "Language",
        "English or Cymraeg: the language of the mail and documents we send about your school.",
        Permission.MANAGE_OPTIONS,
    ),
    Section("tenancy.members", "Members", "Who can use this portal for your school.", Permission.MANAGE_MEMBERS),
    Section("audit.tenancy_log", "Audit log", "Every action taken for your school.", Permission.VIEW_TENANCY_AUDIT),
]
