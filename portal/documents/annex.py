"""Annexes built for signing: I (the parties) and IV (the tenancy's effective set), frozen as plain data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from portal.dates import govuk_date, uk_today
from portal.documents import parties as annex_i
from portal.register.models import ENTRY_TEXT_FIELDS, EntryStatus
from portal.register.vocabulary import CATEGORIES, DataSubject, country_name
from portal.tenancy.models import Tenancy

# The register's own fields, in its order, copied into annex IV (risk notes belong to the DPIA, not the contract).
ANNEX_FIELDS = tuple(name for name in ENTRY_TEXT_FIELDS if name != "risk_note")


def _row(entry: Any, reason: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: str(getattr(entry, name) or "") for name in ANNEX_FIELDS}
    row["key"] = entry.key
    row["kind"] = str(entry.kind.value)
    row["kind_label"] = entry.kind.label
    row["status"] = str(entry.status.value)
    row["status_label"] = entry.status.label
    row["reason"] = reason
    # From the register's facts: the transfer safeguard (annex IV's transfer-mechanism column) and the
    # categories and subjects, which annex II describes for the same effective set.
    facts = entry.facts
    outside = ", ".join(country_name(code) for code in facts.outside_uk)
    row["transfer"] = f"{facts.transfer.label} ({outside})" if outside else str(facts.transfer.label)
    row["category_names"] = [str(CATEGORIES[key].name) for key in facts.categories if key in CATEGORIES]
    # "Others" is named as the entry names them, as annex II does (describe_processing).
    row["subject_labels"] = [
        str(facts.other_subjects) if subject is DataSubject.OTHERS and facts.other_subjects else str(subject.label)
        for subject in facts.subjects
    ]
    return row


def _us_law(entry: Any) -> bool:
    """Whether US law reaches this supplier's data: its parent is headquartered in the US (the register's
    facts); for an entry without facts, published before them, the register's own note decides."""
    if not entry.facts.is_empty:
        return bool(entry.facts.parent_country == "US")
    return "cloud act" in f"{entry.risk_note} {entry.residency_note}".lower()


def annex_iv(tenancies: Sequence[Tenancy], *, on: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """Each tenancy's annex IV on a UK date: suppliers in use, changes announced for it, exclusions."""
    from portal.changes.window import object_until
    from portal.register.effective import effective_sets

    sets = effective_sets(tenancies, today=on or uk_today())
    result = {}
    for tenancy in tenancies:
        found = sets[tenancy.id]
        included = [_row(line.entry, line.reason) for line in found.included]
        upcoming = [
            {
                **_row(change.entry, change.note),
                "change": change.kind,
                "on": govuk_date(change.on),
                "object_until": govuk_date(object_until(change.on)) if change.kind != "removal" else "",
                "title": change.title,
            }
            for change in found.upcoming
            if change.applies
        ]
        excluded = [
            {"supplier": line.entry.supplier, "key": line.entry.key, "reason": line.reason}
            for line in found.excluded
            if line.excluded_by_objection or line.option is not None or line.entry.status is EntryStatus.CONDITIONAL
        ]
        result[tenancy.id] = {
            "register_version": found.version.number if found.version is not None else None,
            "included": included,
            "upcoming": upcoming,
            "excluded": excluded,
            "us_law_note": any(_us_law(line.entry) for line in found.included),
            "us_law_suppliers": [line.entry.supplier for line in found.included if _us_law(line.entry)],
        }
    return result


def vendor_party() -> dict[str, str]:
    """The processor, from configuration."""
    config = current_app.config
    return {
        "name": config["VENDOR_LEGAL_ENTITY"],
        "company_number": config["VENDOR_COMPANY_NUMBER"],
        "address": config["VENDOR_REGISTERED_ADDRESS"],
        "ico_registration": config["VENDOR_ICO_REGISTRATION"],
        "dpo": f"{config['VENDOR_DPO_NAME']}, {config['VENDOR_DPO_EMAIL']}",
        "contact": config["VENDOR_PRIVACY_EMAIL"],
        "location": country_name(config["VENDOR_DATA_COUNTRY"]),
    }


def controller_party(tenancy: Tenancy, parties: annex_i.Parties | None = None) -> dict[str, str]:
    """The controller as the law sees it, with what the signer entered for annex I when there is any."""
    owner = annex_i.controlling_tenancy(tenancy)
    company = (parties.companies_house_number if parties else "") or owner.companies_house_number or ""
    if owner.is_trust:
        identifier = _("Companies House number %(number)s", number=company or _("not recorded"))
    else:
        identifier = f"URN {tenancy.urn}"
    school = "" if tenancy.is_trust else tenancy.name
    party = {
        "name": annex_i.legal_name(tenancy, parties),
        "identifier": identifier,
        "school": school,
        "school_identifier": f"URN {tenancy.urn}" if school else "",
        "kind": annex_i.controller_kind(tenancy),
        "authority": annex_i.authority_statement(tenancy, parties),
    }
    if parties is not None:
        party.update(
            {
                "address": parties.controller_address,
                "dpo": f"{parties.dpo_name}, {parties.dpo_email}",
                "ico_registration": parties.ico_registration,
                "notice_contact": f"{parties.notice_contact_name}, {parties.notice_contact_email}",
                "signer": f"{parties.signer_name}, {parties.signer_role}",
            }
        )
    return party
