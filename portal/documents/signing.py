"""Signing agreements: render the accepted text with its annexes and acceptance record, seal, store once."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app

from portal.audit import service as audit
from portal.dates import now
from portal.documents import annex, pdfsign, render
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.documents.versions import DocumentsError, as_actor, latest_text_version
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.urls import public_link

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Acceptance:
    """What the signer typed and where they signed from (the view supplies IP and user agent)."""

    signer_name: str
    signer_role: str
    confirmed: bool
    ip: str | None = None
    user_agent: str | None = None


def _clean(value: str, label: str) -> str:
    value = " ".join(_CONTROL.sub(" ", value or "").split())
    if not value:
        raise DocumentsError(f"Enter your {label}")
    if len(value) > 200:
        raise DocumentsError(f"Your {label} must be 200 characters or fewer")
    return value


def sign_agreement(
    tenancy: Tenancy, *, user: Any, acceptance: Acceptance, version_number: int, via: Tenancy | None = None
) -> Agreement:
    """Sign the latest text for one tenancy (a school, or an academy through its trust); audited."""
    return sign_agreements([tenancy], user=user, acceptance=acceptance, version_number=version_number, via=via)[0]


def sign_agreements(
    tenancies: Sequence[Tenancy],
    *,
    user: Any,
    acceptance: Acceptance,
    version_number: int,
    via: Tenancy | None = None,
) -> list[Agreement]:
    """Sign one agreement per tenancy in one step; each is its own PDF with its own annex and record."""
    name = _clean(acceptance.signer_name, "full name")
    role = _clean(acceptance.signer_role, "role")
    if not acceptance.confirmed:
        raise DocumentsError("Confirm that you have authority to sign for the controller")
    version = latest_text_version()
    if version is None:
        raise DocumentsError("There is no agreement to sign yet")
    if version.number != version_number:
        raise DocumentsError(f"A new version ({version.number}) was published while you were reading: read it and sign")
    if not tenancies:
        raise DocumentsError("Select the schools to sign for")
    for tenancy in tenancies:
        if tenancy.is_trust:
            raise DocumentsError("Sign for each academy of the trust, not the trust itself")
        if via is not None and tenancy.trust_id != via.id:
            raise DocumentsError(f"{tenancy.name} is not an academy of {via.name}")
    snapshots = annex.subprocessor_snapshots(tenancies)
    signed = []
    for tenancy in tenancies:
        register_version, lines = snapshots[tenancy.id]
        signed.append(_sign_one(tenancy, user, name, role, acceptance, version, via, register_version, lines))
    return signed


def _sign_one(
    tenancy: Tenancy,
    user: Any,
    name: str,
    role: str,
    acceptance: Acceptance,
    version: DpaTextVersion,
    via: Tenancy | None,
    register_version: str | None,
    lines: list[dict[str, Any]],
) -> Agreement:
    signed_at = now().replace(microsecond=0)
    ip = (acceptance.ip or "")[:64] or None
    user_agent = _CONTROL.sub(" ", acceptance.user_agent or "")[:400] or None
    record = {
        "signer_name": name,
        "signer_role": role,
        "tenancy": f"{tenancy.name} ({tenancy.reference})",
        "via": f"{via.name} ({via.reference})" if via is not None else "",
        "signed_at_utc": signed_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "ip": ip,
        "user_agent": user_agent,
    }
    html = document_html(tenancy, version, record, lines, register_version)
    pdf = pdfsign.seal_pdf(
        render.render_pdf(html),
        current_app.config,
        reason=f"Data processing agreement v{version.number} accepted for {tenancy.name}",
    )
    digest = hashlib.sha256(pdf).hexdigest()
    agreement = Agreement(
        tenancy_id=tenancy.id,
        text_version_id=version.id,
        signed_at=signed_at,
        signer_user_id=None if isinstance(user, audit.Actor) else getattr(user, "id", None),
        signer_name=name,
        signer_role=role,
        capacity=SignerCapacity.TRUST if via is not None else SignerCapacity.SELF,
        signed_via_tenancy_id=via.id if via is not None else None,
        ip=ip,
        user_agent=user_agent,
        register_version=register_version,
        annex=lines,
        filename=filename_for(tenancy, version.number, signed_at.date().isoformat()),
        sha256=digest,
        size_bytes=len(pdf),
        pdf=pdf,
    )
    db.session.add(agreement)
    db.session.flush()
    audit.record(
        "agreement.signed",
        actor=as_actor(user),
        tenancy_id=tenancy.id,
        object_type="Agreement",
        object_id=agreement.id,
        details={
            "text_version": version.number,
            "sha256": digest,
            "signer_role": role,
            "via_tenancy_id": via.id if via is not None else None,
            "register_version": register_version,
            "subprocessors": [line["key"] for line in lines],
        },
    )
    return agreement


def document_html(
    tenancy: Tenancy,
    version: DpaTextVersion,
    record: dict[str, Any],
    lines: list[dict[str, Any]],
    register_version: str | None,
) -> str:
    """The print HTML of one agreement: text, annexes I-IV and the acceptance record."""
    return render.agreement_html(
        {
            "text": version.data,
            "version": version,
            "vendor": annex.vendor_party(),
            "controller": annex.controller_party(tenancy),
            "annex": lines,
            "register_version": register_version,
            "record": record,
            "verify_url": public_link("/verify"),
        }
    )


def filename_for(tenancy: Tenancy, version_number: int, day: str) -> str:
    """A download name naming the school and the date: oakfield-primary-school-dpa-v1-2026-11-23.pdf."""
    ascii_name = unicodedata.normalize("NFKD", tenancy.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80] or "school"
    return f"{slug}-dpa-v{version_number}-{day}.pdf"
