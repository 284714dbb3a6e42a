"""Signing agreements: render the accepted text with its annexes and acceptance record, seal, store once.

Three steps, so no transaction is open while a PDF is rendered and sealed (#17): draw up (read
everything, check the key and the version), seal (no transaction), store (one short write).
A submission carries a one-time key, stored with each agreement it made under a unique
constraint: a second submission with the same key, even one racing the first, makes nothing new
and is answered with the agreements the first one made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import transactions
from portal.audit import service as audit
from portal.dates import govuk_date, now
from portal.documents import annex, pdfsign, render
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.documents.versions import DocumentsError, as_actor, latest_text_version, statuses
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.urls import public_link

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Acceptance:
    """What the signer typed and where they signed from (the view supplies IP and user agent)."""

    signer_name: str
    signer_role: str
    confirmed: bool
    ip: str | None = None
    user_agent: str | None = None
    # The sign form's one-time key (None: a caller without a form, such as the demo loader).
    submission_key: str | None = None
    # The signer chose to sign again a text version already signed for the school.
    sign_again: bool = False


@dataclass(frozen=True)
class Signed:
    """The agreements a submission made; `earlier` when an earlier submission with its key made them."""

    agreements: list[Agreement]
    earlier: bool = False


@dataclass
class _Draft:
    """One agreement drawn up from the database, ready to seal and store without reading it again."""

    tenancy: Tenancy
    signed_at: dt.datetime
    ip: str | None
    user_agent: str | None
    register_version: str | None
    lines: list[dict[str, Any]]
    html: str
    reason: str
    pdf: bytes = b""


def new_submission_key() -> str:
    """A one-time key for a sign form."""
    return secrets.token_urlsafe(24)


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
    return sign(tenancies, user=user, acceptance=acceptance, version_number=version_number, via=via).agreements


def sign(
    tenancies: Sequence[Tenancy],
    *,
    user: Any,
    acceptance: Acceptance,
    version_number: int,
    via: Tenancy | None = None,
) -> Signed:
    """Draw up, seal (no transaction open) and store one agreement per tenancy; once per submission key."""
    name = _clean(acceptance.signer_name, "full name")
    role = _clean(acceptance.signer_role, "role")
    key = acceptance.submission_key
    if key is not None and not _KEY.fullmatch(key):
        raise DocumentsError(_("This form could not be used: nothing was saved. Check your answers and sign again"))
    if not acceptance.confirmed:
        raise DocumentsError("Confirm that you have authority to sign for the controller")
    if key is not None and (earlier := made_with_key(key, tenancies)):
        return Signed(earlier, earlier=True)
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
    if not acceptance.sign_again:
        _refuse_if_signed(tenancies, version)
    snapshots = annex.subprocessor_snapshots(tenancies)
    drafts = [_draw_up(t, name, role, acceptance, version, via, *snapshots[t.id]) for t in tenancies]
    with transactions.without_transaction():
        for draft in drafts:
            draft.pdf = pdfsign.seal_pdf(render.render_pdf(draft.html), current_app.config, reason=draft.reason)
    try:
        with db.session.begin_nested():
            stored = [_store(draft, user, name, role, version, via, key) for draft in drafts]
    except IntegrityError:
        # A concurrent submission with the same key stored first: the constraint, not a check, decides.
        if key is None or not (earlier := made_with_key(key, tenancies)):
            raise
        return Signed(earlier, earlier=True)
    return Signed(stored)


def made_with_key(key: str, tenancies: Sequence[Tenancy]) -> list[Agreement]:
    """The agreements an earlier submission with this key made for these tenancies."""
    ids = [t.id for t in tenancies]
    query = select(Agreement).where(Agreement.submission_key == key, Agreement.tenancy_id.in_(ids))
    return list(db.session.scalars(query.order_by(Agreement.id)))


def already_signed(tenancies: Sequence[Tenancy]) -> list[Agreement]:
    """For the sign page: each tenancy's latest agreement where it is on the newest text version."""
    return [
        s.latest_agreement
        for s in statuses(list(tenancies))
        if s.latest_agreement is not None and s.latest_text is not None and s.signed_version == s.latest_text.number
    ]


def _refuse_if_signed(tenancies: Sequence[Tenancy], version: DpaTextVersion) -> None:
    signed = already_signed(tenancies)
    if not signed:
        return
    first = signed[0]
    raise DocumentsError(
        _(
            "Version %(number)s was already signed for %(names)s (%(date)s, by %(signer)s). To sign it again, "
            "select “Sign again to record today's sub-processors”",
            number=version.number,
            names=", ".join(a.tenancy.name for a in signed),
            date=govuk_date(first.signed_at),
            signer=first.signer_name,
        )
    )


def _draw_up(
    tenancy: Tenancy,
    name: str,
    role: str,
    acceptance: Acceptance,
    version: DpaTextVersion,
    via: Tenancy | None,
    register_version: str | None,
    lines: list[dict[str, Any]],
) -> _Draft:
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
    return _Draft(
        tenancy=tenancy,
        signed_at=signed_at,
        ip=ip,
        user_agent=user_agent,
        register_version=register_version,
        lines=lines,
        html=document_html(tenancy, version, record, lines, register_version),
        reason=f"Data processing agreement v{version.number} accepted for {tenancy.name}",
    )


def _store(
    draft: _Draft,
    user: Any,
    name: str,
    role: str,
    version: DpaTextVersion,
    via: Tenancy | None,
    key: str | None,
) -> Agreement:
    tenancy, pdf = draft.tenancy, draft.pdf
    digest = hashlib.sha256(pdf).hexdigest()
    agreement = Agreement(
        tenancy_id=tenancy.id,
        text_version_id=version.id,
        signed_at=draft.signed_at,
        signer_user_id=None if isinstance(user, audit.Actor) else getattr(user, "id", None),
        signer_name=name,
        signer_role=role,
        capacity=SignerCapacity.TRUST if via is not None else SignerCapacity.SELF,
        signed_via_tenancy_id=via.id if via is not None else None,
        ip=draft.ip,
        user_agent=draft.user_agent,
        register_version=draft.register_version,
        annex=draft.lines,
        filename=filename_for(tenancy, version.number, draft.signed_at.date().isoformat()),
        sha256=digest,
        size_bytes=len(pdf),
        pdf=pdf,
        submission_key=key,
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
            "register_version": draft.register_version,
            "subprocessors": [line["key"] for line in draft.lines],
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
