"""The records-of-processing entry (UK GDPR Art. 30(1)) for the school's use of the service, and its CSV and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import DpiaPack, RecordField, yours
from portal.dpia.dpa_text import clause_ref, measure_items, processing_value
from portal.register.effective import EffectiveLine
from portal.register.processing import ProcessingDescription
from portal.web.csv_export import csv_bytes


def recipients(lines: Sequence[EffectiveLine], vendor: dict[str, str]) -> list[dict[str, str]]:
    """Who receives the data: the vendor as processor, then each sub-processor in use."""
    rows = [
        {
            "name": vendor["name"],
            "role": str(_("Processor")),
            "purpose": str(_("Provides %(service)s to your school", service=vendor["service"])),
            "data_categories": str(_("All the personal data described above")),
            "location": vendor["location"],  # from configuration: where the vendor itself processes the data
            "certifications": "",
        }
    ]
    for line in lines:
        entry = line.entry
        rows.append(
            {
                "name": entry.supplier,
                "role": str(_("Sub-processor (%(kind)s)", kind=entry.kind.label.lower())),
                "purpose": entry.purpose,
                "data_categories": entry.data_categories,
                "location": entry.location,
                "certifications": entry.certifications,
            }
        )
    return rows


def _transfers(described: ProcessingDescription, text: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Art. 30(1)(e) from the facts: each supplier outside the UK, its countries and its transfer mechanism."""
    if not described.transfers:
        return str(_("None: every sub-processor used for your school processes the data in the United Kingdom.")), ()
    items = []
    for line in described.transfers:
        checked = (
            " " + _("Certification checked on %(date)s.", date=govuk_date(line.dpf_checked_on))
            if line.dpf_checked_on
            else ""
        )
        items.append(
            _(
                "%(supplier)s: %(countries)s. Safeguard: %(mechanism)s.",
                supplier=line.supplier,
                countries=", ".join(line.country_names),
                mechanism=line.mechanism_label,
            )
            + checked
        )
    value = _("Yes, under the safeguards named for each supplier and %(clause)s.", clause=clause_ref(text, "transfers"))
    return str(value), tuple(items)


def _joined_list(values: Sequence[str]) -> str:
    return "; ".join(values)


def build_record(
    *,
    controller: dict[str, str],
    vendor: dict[str, str],
    text: dict[str, Any],
    described: ProcessingDescription,
    people: Sequence[dict[str, str]],
    links: dict[str, str] | None = None,
) -> tuple[RecordField, ...]:
    """The Art. 30(1) fields, from the one description of processing, pre-filled where the portal knows the
    answer and marked where it cannot."""
    name = controller["name"]
    if controller.get("school") and controller["school"] != name:
        name = _(
            "%(name)s, for %(school)s (%(identifier)s)",
            name=name,
            school=controller["school"],
            identifier=controller["school_identifier"],
        )
    else:
        name = f"{name} ({controller['identifier']})"
    # Prefilled from annex I of the signed agreement, where it has one.
    contacts = (
        _(
            "%(address)s. Data protection officer: %(dpo)s. Contact for notices: %(contact)s. ICO registration: "
            "%(number)s.",
            address=controller["address"],
            dpo=controller["dpo"],
            contact=controller["notice_contact"],
            number=controller["ico_registration"],
        )
        if controller.get("dpo")
        else ""
    )
    transfers, transfer_items = _transfers(described, text)
    backups = measure_items(text, "Backups and continuity")
    erasure = (
        _(
            "For as long as your school uses %(service)s; then deleted or returned under %(clause)s.",
            service=vendor["service"],
            clause=clause_ref(text, "end"),
        )
        + (f" {backups[0]}" if backups else "")
        + " "
        + _("Add your school's own retention periods for content it keeps in the service.")
    )
    if described.suppliers:
        purposes = _joined_list(described.purposes) or processing_value(text, "Purpose")
        subjects = _joined_list(described.subjects)
        categories = _joined_list(
            [
                _("%(name)s (special category data)", name=c.name)
                if c.special_category
                else _("%(name)s (criminal offence data)", name=c.name)
                if c.criminal_offence
                else c.name
                for c in described.categories
            ]
        )
    else:  # nothing in use yet: the agreement's own annex II rows stand
        purposes = processing_value(text, "Purpose")
        subjects = processing_value(text, "Data subjects")
        categories = processing_value(text, "Categories of personal data")
    special = [c.name for c in described.categories if c.special_category]
    links = links or {}
    return (
        RecordField("controller", "30(1)(a)", _("Name of the controller"), name),
        RecordField(
            "contact_details",
            "30(1)(a)",
            _(
                "Contact details of the controller, any joint controller or representative, and the data "
                "protection officer"
            ),
            contacts or yours(),
            to_complete=not contacts,
        ),
        RecordField("activity", "", _("Processing activity"), processing_value(text, "Subject matter")),
        RecordField("purposes", "30(1)(b)", _("Purposes of the processing"), purposes),
        RecordField(
            "lawful_basis",
            "6(1)",
            str(_("Lawful basis for the processing")),
            str(
                _(
                    "%(yours)s. Name your basis under Article 6(1): many schools rely on public task (Article "
                    "6(1)(e)) for teaching and on legitimate interests or contract for staff data.",
                    yours=yours(),
                )
            ),
            to_complete=True,
        ),
        RecordField(
            "special_condition",
            "9(2)",
            str(_("Condition for special category data")),
            str(
                _(
                    "%(yours)s. The service processes %(names)s: name your condition under Article 9(2), and the "
                    "condition in Schedule 1 to the Data Protection Act 2018 where it needs one (paragraph 41 of "
                    "that Schedule asks this record to name it).",
                    yours=yours(),
                    names=", ".join(special),
                )
            )
            if special
            else str(_("None needed: no special category data is processed for your school.")),
            to_complete=bool(special),
        ),
        RecordField("data_subjects", "30(1)(c)", _("Categories of data subjects"), subjects),
        RecordField("personal_data", "30(1)(c)", _("Categories of personal data"), categories),
        RecordField(
            "recipients",
            "30(1)(d)",
            _("Categories of recipients"),
            _("%(vendor)s as processor, and its sub-processors used for your school.", vendor=vendor["name"]),
            tuple(f"{p['name']}: {p['role'].lower()}, {p['location'] or _('location not stated')}" for p in people),
        ),
        RecordField(
            "transfers", "30(1)(e)", _("Transfers to third countries and their safeguards"), transfers, transfer_items
        ),
        RecordField("erasure", "30(1)(f)", _("Time limits for erasure"), erasure),
        RecordField(
            "security_measures",
            "30(1)(g)",
            _("Technical and organisational security measures"),
            _("The processor's measures in annex III of the data processing agreement, and your school's own."),
            tuple(group["heading"] for group in text.get("measures", [])),
        ),
        RecordField(
            "documents",
            "",
            str(_("The DPIA and the agreement")),
            str(_("Where the impact assessment and the data processing agreement for this processing are kept.")),
            tuple(
                f"{label}: {url}"
                for label, url in (
                    (_("DPIA pack"), links.get("dpia", "")),
                    (_("Data processing agreement"), links.get("agreement", "")),
                )
                if url
            ),
        ),
    )


def _joined(field: RecordField) -> str:
    return " ".join([field.value, *(f"{item};" for item in field.items)]).rstrip(";")


def record_csv(pack: DpiaPack) -> bytes:
    """One row per processing activity, one column per field: the shape of a records-of-processing sheet."""
    headers = [f"{f.name} (Art. {f.article})" if f.article else f.name for f in pack.record]
    values = [_joined(f) for f in pack.record]
    return csv_bytes(
        [*headers, _("Built on"), _("Register version"), _("Data processing agreement text version")],
        [[*values, pack.built_on, pack.register_version, pack.dpa_text_version]],
    )


def record_json(pack: DpiaPack) -> bytes:
    """The record as structured data, with the facts it was built from."""
    document = {
        "record_of_processing": {
            f.key: {
                "article": f.article,
                "field": f.name,
                "value": f.value,
                "items": list(f.items),
                "to_complete": f.to_complete,
            }
            for f in pack.record
        },
        "recipients": list(pack.recipients),
        "built_on": pack.built_on.isoformat(),
        "register_version": pack.register_version,
        "dpa_text_version": pack.dpa_text_version,
        "effective_set_fingerprint": pack.fingerprint,
        "controller": pack.controller,
        "processor": pack.vendor,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
