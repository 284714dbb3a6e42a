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
    # A trust's home says "trust" and "academies", not "your school" (#25): its own words, where they differ.
    trust_title: str | LazyString | None = None
    trust_description: str | LazyString | None = None

    def words(self, is_trust: bool) -> tuple[str | LazyString, str | LazyString]:
        """The link's title and description, for a school or for a trust."""
        if is_trust:
            return self.trust_title or self.title, self.trust_description or self.description
        return self.title, self.description


SECTIONS: list[Section] = [
    Section(
        "tenancy_register.effective_set",
        _l("Sub-processors for your school"),
        _l("Which suppliers process your school's data now, why, and what is about to change."),
        trust_title=_l("Sub-processors for your academies"),
        trust_description=_l("Which suppliers process each academy's data now, why, and what is about to change."),
    ),
    Section(
        "tenancy_register.options",
        _l("Options"),
        _l("Switch optional services, such as the AI fallback, on or off for your school."),
        trust_description=_l("Switch optional services, such as the AI fallback, on or off for your academies."),
    ),
    Section(
        "changes.tenancy_objections",
        _l("Changes and objections"),
        _l("Announced changes, the date you can object until, and your objections."),
        trust_description=_l("Announced changes, the date you can object until, and your academies' objections."),
    ),
    Section(
        "documents.agreements",
        _l("Data processing agreement"),
        _l("Read, sign and download your data processing agreement."),
        Permission.DOWNLOAD_AGREEMENTS,
        trust_title=_l("Data processing agreements"),
        trust_description=_l("Read, sign and download your academies' data processing agreements."),
    ),
    Section(
        "dpia.pack",
        _l("DPIA pack"),
        _l("A draft DPIA and records of processing, filled in from your effective set."),
        trust_description=_l("A draft DPIA and records of processing, filled in from the suppliers used."),
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
        "tenancy.members",
        _l("Members"),
        _l("Who can use this portal for your school."),
        Permission.MANAGE_MEMBERS,
        trust_description=_l("Who can use this portal for your trust."),
    ),
    Section(
        "audit.tenancy_log",
        _l("Audit log"),
        _l("Every action taken for your school."),
        Permission.VIEW_TENANCY_AUDIT,
        trust_description=_l("Every action taken for your trust."),
    ),
    Section(
        "tenancy_language.language",
        _l("Language"),
        _l("English or Cymraeg: the language of the mail and documents we send about your school."),
        Permission.MANAGE_OPTIONS,
        trust_description=_l("English or Cymraeg: the language of the mail and documents we send about your trust."),
    ),
]
