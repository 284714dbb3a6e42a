"""The deletion certificate: rendered and sealed like an agreement, stored once, recognised by /verify."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.audit.service import Actor, record
from portal.dates import now
from portal.documents import pdfsign, render
from portal.documents.models import Agreement
from portal.exits.models import DeletionCertificate, ExitCase
from portal.extensions import db
from portal.web.language import written_in


def certificate_html(case: ExitCase, issued_at: object) -> str:
    agreement = db.session.get(Agreement, case.agreement_id) if case.agreement_id else None
    with written_in(case.tenancy.language):  # the school's documents are in its language (#29)
        return render_template(
            "pdf/deletion_certificate.html",
            asset_base=render.ASSET_BASE,
            case=case,
            tenancy=case.tenancy,
            agreement=agreement,
            issued_at=issued_at,
            retention_days=int(current_app.config.get("AUDIT_RETENTION_DAYS", 396)),
        )


def issue_certificate(case: ExitCase, *, actor: Actor) -> DeletionCertificate:
    """Render, seal with the vendor's PAdES key, and store the certificate (its bytes are never re-rendered)."""
    issued_at = now().replace(microsecond=0)
    pdf = pdfsign.seal_pdf(
        render.render_pdf(certificate_html(case, issued_at)),
        current_app.config,
        reason=_("Deletion certificate DEL-%(id)s for %(name)s", id=case.id, name=case.tenancy.name),
    )
    digest = hashlib.sha256(pdf).hexdigest()
    certificate = DeletionCertificate(
        exit_id=case.id,
        tenancy_id=case.tenancy_id,
        issued_at=issued_at,
        filename=f"deletion-certificate-DEL-{case.id}-{case.tenancy.slug}.pdf",
        sha256=digest,
        size_bytes=len(pdf),
        pdf=pdf,
    )
    db.session.add(certificate)
    db.session.flush()
    record(
        "exit.certificate_issued",
        actor=actor,
        tenancy_id=case.tenancy_id,
        object_type="DeletionCertificate",
        object_id=certificate.id,
        details={"sha256": digest, "exit_id": case.id},
    )
    return certificate


def certificate_by_sha256(digest: str) -> DeletionCertificate | None:
    """The certificate with exactly these bytes, for /verify."""
    return db.session.scalar(
        select(DeletionCertificate)
        .where(DeletionCertificate.sha256 == digest)
        .options(joinedload(DeletionCertificate.tenancy), joinedload(DeletionCertificate.exit_case))
    )
