"""Annexes built at signing: I (the parties) and IV (the tenancy's effective set), frozen as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app

from portal.register.effective import effective_sets
from portal.register.models import ENTRY_TEXT_FIELDS
from portal.tenancy.models import Tenancy

# The register's own fields, in its order, copied into annex IV (risk notes belong to the DPIA, not the contract).
ANNEX_FIELDS = tuple(name for name in ENTRY_TEXT_FIELDS if name != "risk_note")


def subprocessor_snapshots(tenancies: Sequence[Tenancy]) -> dict[int, tuple[str | None, list[dict[str, Any]]]]:
    """Each tenancy's register version number and included lines, as plain dicts (constant queries)."""
    sets = effective_sets(tenancies)
    result = {}
    for tenancy in tenancies:
        found = sets[tenancy.id]
        lines = []
        for line in found.included:
            entry = line.entry
            row = {name: str(getattr(entry, name) or "") for name in ANNEX_FIELDS}
            row["key"] = entry.key
            row["kind"] = str(entry.kind.value)
            row["status"] = str(entry.status.value)
            row["reason"] = line.reason
            lines.append(row)
        result[tenancy.id] = (found.version.number if found.version is not None else None, lines)
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
    }


def controller_party(tenancy: Tenancy) -> dict[str, str]:
    """The controller: a trust (Companies House number) for its academy, or the school itself (URN)."""
    trust = tenancy.trust
    if trust is not None:
        return {
            "name": trust.name,
            "identifier": f"Companies House number {trust.companies_house_number or 'not recorded'}",
            "school": tenancy.name,
            "school_identifier": f"URN {tenancy.urn}",
            "kind": "Academy trust",
        }
    if tenancy.is_trust:
        return {
            "name": tenancy.name,
            "identifier": f"Companies House number {tenancy.companies_house_number or 'not recorded'}",
            "school": "",
            "school_identifier": "",
            "kind": "Academy trust",
        }
    return {
        "name": tenancy.name,
        "identifier": f"URN {tenancy.urn}",
        "school": tenancy.name,
        "school_identifier": f"URN {tenancy.urn}",
        "kind": "School" + (f" maintained by {tenancy.local_authority}" if tenancy.local_authority else ""),
    }
