"""Annex I: the controller as the law sees it, and the details the signer gives for it.

A maintained school's controller is its governing body; an academy's is its trust (the academy
is named too); an independent school's is its proprietor; a trust whose central staff use the
service is a controller for that use. Schools are public authorities with a DPO (Art. 37(1)(a)).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from portal.documents.models import Agreement
from portal.documents.versions import DocumentsError
from portal.extensions import db
from portal.tenancy.models import Tenancy


def _(text: str, **values: object) -> str:
    """gettext, typed: every string here is marked for translation."""
    return str(gettext(text, **values))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ICO = re.compile(r"^[A-Z]{1,2}\d{6,8}$")
_COMPANY = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")


class PartiesError(DocumentsError):
    """A detail of annex I that cannot be accepted; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Parties:
    """What the signer enters for annex I (one set for a trust's batch: the trust is the controller)."""

    controller_address: str = ""
    companies_house_number: str = ""
    proprietor_name: str = ""
    dpo_name: str = ""
    dpo_email: str = ""
    ico_registration: str = ""
    notice_contact_name: str = ""
    notice_contact_email: str = ""
    signer_name: str = ""
    signer_role: str = ""

    def as_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> Parties:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: str(v or "") for k, v in (values or {}).items() if k in names})


def is_independent(tenancy: Tenancy) -> bool:
    """Whether GIAS calls the school independent (its proprietor is the controller)."""
    return (
        tenancy.trust_id is None
        and not tenancy.is_trust
        and "independent" in (tenancy.establishment_type or "").lower()
    )


def controlling_tenancy(tenancy: Tenancy) -> Tenancy:
    """The tenancy whose legal person is the controller: the trust for an academy, else itself."""
    return tenancy.trust if tenancy.trust is not None else tenancy


def legal_name(tenancy: Tenancy, parties: Parties | None = None) -> str:
    """The controller's name as the law sees it."""
    if tenancy.trust is not None:
        return tenancy.trust.name
    if tenancy.is_trust:
        return tenancy.name
    if is_independent(tenancy):
        given = parties.proprietor_name if parties is not None else ""
        return given or _("The proprietor of %(school)s", school=tenancy.name)
    return _("The governing body of %(school)s", school=tenancy.name)


def controller_kind(tenancy: Tenancy) -> str:
    if tenancy.trust is not None:
        return _("Academy trust, the controller for its academy")
    if tenancy.is_trust:
        return _("Academy trust, for the use of the service by its central staff")
    if is_independent(tenancy):
        return _("Proprietor of an independent school")
    return _("Governing body of a maintained school")


def authority_statement(tenancy: Tenancy, parties: Parties | None = None) -> str:
    """The declaration the signer makes, in the controller's own name."""
    return _(
        "I confirm that I have authority to enter into this agreement on behalf of %(controller)s.",
        controller=legal_name(tenancy, parties),
    )


def prefill(tenancy: Tenancy, signer_name: str) -> Parties:
    """A starting point: the last agreement signed for the controller, GIAS's Companies House number, the signer."""
    owner = controlling_tenancy(tenancy)
    scope = [owner.id, *(a.id for a in owner.academies)] if owner.is_trust else [tenancy.id]
    last = db.session.scalar(
        select(Agreement)
        .where(Agreement.tenancy_id.in_(scope), Agreement.dpo_email.is_not(None))
        .order_by(Agreement.id.desc())
        .limit(1)
    )
    base = {}
    if last is not None:
        base = {
            "controller_address": last.controller_address,
            "dpo_name": last.dpo_name,
            "dpo_email": last.dpo_email,
            "ico_registration": last.ico_registration,
            "notice_contact_name": last.notice_contact_name,
            "notice_contact_email": last.notice_contact_email,
        }
    return Parties.from_dict(
        {**base, "companies_house_number": owner.companies_house_number or "", "signer_name": signer_name}
    )


def of_agreement(agreement: Agreement | None) -> Parties | None:
    """Annex I as a signed agreement recorded it (None for agreements signed before annex I was complete)."""
    if agreement is None or not agreement.dpo_email:
        return None
    return Parties.from_dict(
        {
            "controller_address": agreement.controller_address,
            "companies_house_number": agreement.companies_house_number,
            "proprietor_name": agreement.controller_name if is_independent(agreement.tenancy) else "",
            "dpo_name": agreement.dpo_name,
            "dpo_email": agreement.dpo_email,
            "ico_registration": agreement.ico_registration,
            "notice_contact_name": agreement.notice_contact_name,
            "notice_contact_email": agreement.notice_contact_email,
            "signer_name": agreement.signer_name,
            "signer_role": agreement.signer_role,
        }
    )


def _text(value: str, field: str, label: str, limit: int = 200, required: bool = True) -> str:
    value = " ".join(_CONTROL.sub(" ", value or "").split())
    if required and not value:
        raise PartiesError(field, _("Enter %(label)s", label=label))
    if len(value) > limit:
        raise PartiesError(
            field, _("%(label)s must be %(limit)s characters or fewer", label=label.capitalize(), limit=limit)
        )
    return value


def _email(value: str, field: str, label: str) -> str:
    value = _text(value, field, label, 320)
    if not _EMAIL.match(value):
        raise PartiesError(field, _("Enter %(label)s in the correct format, like name@example.org", label=label))
    return value


def clean(tenancy: Tenancy, parties: Parties) -> Parties:
    """The parties with whitespace tidied, or PartiesError naming the first field that is wrong."""
    needs_company = tenancy.is_trust or tenancy.trust is not None
    company = _text(
        parties.companies_house_number,
        "companies_house_number",
        _("the trust's Companies House number"),
        8,
        needs_company,
    ).upper()
    if company and not _COMPANY.match(company):
        raise PartiesError("companies_house_number", _("Enter a Companies House number of 8 characters, like 09876543"))
    ico = (
        _text(parties.ico_registration, "ico_registration", _("the ICO registration number"), 20)
        .upper()
        .replace(" ", "")
    )
    if not _ICO.match(ico):
        raise PartiesError(
            "ico_registration", _("Enter the ICO registration number as it appears on the ICO register, like ZA123456")
        )
    return Parties(
        controller_address=_text(parties.controller_address, "controller_address", _("the controller's address"), 400),
        companies_house_number=company,
        proprietor_name=_text(
            parties.proprietor_name, "proprietor_name", _("the proprietor's legal name"), 200, is_independent(tenancy)
        ),
        dpo_name=_text(parties.dpo_name, "dpo_name", _("the data protection officer's name")),
        dpo_email=_email(parties.dpo_email, "dpo_email", _("the data protection officer's email address")),
        ico_registration=ico,
        notice_contact_name=_text(
            parties.notice_contact_name, "notice_contact_name", _("the name of the contact for notices")
        ),
        notice_contact_email=_email(
            parties.notice_contact_email, "notice_contact_email", _("the email address for notices")
        ),
        signer_name=_text(parties.signer_name, "signer_name", _("your full name")),
        signer_role=_text(parties.signer_role, "signer_role", _("your role")),
    )
