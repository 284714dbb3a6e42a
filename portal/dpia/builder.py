"""Build a tenancy's DPIA pack from what the portal knows, following the steps of the ICO's sample DPIA template.

Pre-filled: the processing description (annex II of the current agreement text), the effective set
with locations, certifications and risk notes, the security measures (annex III), the options the
school has set and its signed agreement. What only the school can answer is marked as theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from portal.changes.window import notice_period_days
from portal.dates import govuk_date, uk_today
from portal.documents import parties, processing, versions
from portal.documents.annex import controller_party, vendor_party
from portal.dpia import assessment, freshness, risks, sections
from portal.dpia.content import DpiaPack, Known, RecordField, Risk, Section
from portal.dpia.record import build_record, recipients
from portal.register.effective import effective_set
from portal.register.processing import describe_lines
from portal.tenancy.models import Tenancy
from portal.web.urls import public_url


def build_pack(tenancy: Tenancy, *, today: dt.date | None = None) -> DpiaPack:
    """The pack for one tenancy as it stands on a UK date (today by default), in a constant number of queries."""
    today = today or uk_today()
    found = effective_set(tenancy, today=today)
    states = found.options_by_id
    status = versions.statuses([tenancy])[0]
    text: dict[str, Any] = status.latest_text.data if status.latest_text is not None else versions.compose_text()
    # Annex II through the one seam the agreement uses too (the register's facts, once connected).
    text = {**text, "processing": processing.annex_ii(tenancy, today, text)}
    agreement = status.latest_agreement
    controller = controller_party(tenancy, parties.of_agreement(agreement))
    vendor = {**vendor_party(), "service": current_app.config["VENDOR_NAME"]}
    included = found.included
    notice_days = notice_period_days()  # the contract's period, never less than signed (#21)

    found_risks, removed = risks.derive(found, text, vendor=vendor["name"], notice_days=notice_days)
    described = describe_lines(tenancy.id, today, found.version.number if found.version else None, included)
    people = recipients(included, vendor)
    links = {"dpia": public_url("dpia.pack", tenancy=tenancy.slug)}
    if agreement is not None:
        links["agreement"] = public_url("documents.download", tenancy=tenancy.slug, agreement_id=agreement.id)
    else:
        links["agreement"] = public_url("documents.agreements", tenancy=tenancy.slug)
    record = build_record(
        controller=controller, vendor=vendor, text=text, described=described, people=people, links=links
    )
    summary = freshness.summarise(found, states)

    if agreement is not None:
        signed = _(
            "%(name)s signed version %(version)s of the data processing agreement on %(date)s (SHA-256 of the "
            "signed PDF: %(digest)s).",
            name=controller["name"],
            version=agreement.text_version.number,
            date=govuk_date(agreement.signed_at),
            digest=agreement.sha256,
        )
    elif tenancy.is_trust and not tenancy.central_staff_use_service:
        signed = _(
            "%(trust)s is the controller for its academies, and each academy's agreement is signed by the trust "
            "for that academy: see the trust's agreements page. The trust's own central staff are not recorded as "
            "using the service, so there is no agreement for the trust itself.",
            trust=tenancy.name,
        )
    else:
        signed = _(
            "No data processing agreement has been signed for %(name)s yet. Sign it in the portal before "
            "staff use the service with personal data.",
            name=tenancy.name,
        )
    facts = Known(
        text=text,
        controller=controller,
        vendor=vendor,
        found=found,
        states=states,
        signed=signed,
        text_version=status.latest_text.number if status.latest_text is not None else None,
        notice_days=notice_days,
        built_on=today,
    )
    return DpiaPack(
        tenancy_name=tenancy.name,
        tenancy_slug=tenancy.slug,
        controller=controller,
        vendor=vendor,
        built_on=today,
        register_version=summary["register_version"],
        dpa_text_version=facts.text_version,
        sections=build_sections(facts, found_risks, removed, record),
        risks=tuple(found_risks),
        record=record,
        recipients=tuple(people),
        summary=summary,
        fingerprint=freshness.fingerprint(summary),
        agreement=signed,
        removed_risks=tuple(removed),
    )


def build_sections(
    known: Known, found_risks: Sequence[Risk], removed: Sequence[str], record: Sequence[RecordField]
) -> tuple[Section, ...]:
    """Every section of the draft, in the ICO template's order, then the records-of-processing annex."""
    return (
        sections.about(known),
        sections.need(known),
        sections.processing(known),
        sections.consultation(known),
        assessment.necessity(known),
        assessment.risks(found_risks, removed, known),
        assessment.measures(found_risks, known),
        assessment.sign_off(known),
        Section("record", _("Annex: records of processing (Article 30(1))"), (assessment.record_part(record),)),
    )
