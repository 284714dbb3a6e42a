"""Signing agreements: render the accepted text with its annexes and acceptance record, seal, store once.

Three steps, so no transaction is open while a PDF is rendered and sealed (#17): draw up (read
everything, check the key and the version, prepare annexes I-IV), seal (no transaction), store
(one short write). A submission carries a one-time key, stored with each agreement it made under a
unique constraint: a second submission with the same key, even one racing the first, makes nothing
new and is answered with the agreements the first one made.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
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
from portal.documents import document, pdfsign, render, versions
from portal.documents import parties as parties_module
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.documents.parties import Parties
from portal.documents.versions import DocumentsError, as_actor, latest_text_version, statuses
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.forms import valid_submission_key

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Acceptance:
    """What the signer entered (annex I) and confirmed, and where they signed from (the view supplies IP and UA)."""

    signer_name: str
    signer_role: str
    confirmed: bool
    ip: str | None = None
    user_agent: str | None = None
    parties: Parties | None = None
    # The sign form's one-time key (None: a caller without a form, such as the demo loader).
    submission_key: str | None = None
    # The signer chose to sign again a text version already signed for the school.
    sign_again: bool = False
    # The language version the signer read and signs ("en" or "cy"; one the text version has, #29).
    language: str = "en"

    def cleaned_parties(self, tenancy: Tenancy) -> Parties:
        """Annex I as entered, the signer's name and role included, tidied and checked."""
        given = self.parties or Parties()
        merged = dataclasses.replace(given, signer_name=self.signer_name, signer_role=self.signer_role)
        return parties_module.clean(tenancy, merged)


@dataclass(frozen=True)
class Signed:
    """The agreements a submission made; `earlier` when an earlier submission with its key made them."""

    agreements: list[Agreement]
    earlier: bool = False


@dataclass
class _Draft:
    """One agreement drawn up from the database, ready to seal and store without reading it again."""

    prepared: document.Prepared
    signed_at: dt.datetime
    ip: str | None
    user_agent: str | None
    html: str
    reason: str
    pdf: bytes = b""


def sign_agreement(
    tenancy: Tenancy, *, user: Any, acceptance: Acceptance, version_number: int, via: Tenancy | None = None
) -> Agreement:
    """Sign the latest text for one tenancy (a school, a trust for itself, or an academy through its trust)."""
    return sign_agreements([tenancy], user=user, acceptance=acceptance, version_number=version_number, via=via)[0]


def signable(trust: Tenancy, tenancy: Tenancy) -> bool:
    """Whether a trust may sign for this tenancy: its academy, or itself where its central staff use the service."""
    if tenancy.id == trust.id:
        return trust.central_staff_use_service
    return tenancy.trust_id == trust.id


def targets_for(tenancy: Tenancy) -> list[Tenancy]:
    """What a tenancy may sign for: a school itself; a trust its academies, and itself if its staff use the service."""
    if not tenancy.is_trust:
        return [tenancy]
    from sqlalchemy import select

    academies = list(db.session.scalars(select(Tenancy).where(Tenancy.trust_id == tenancy.id).order_by(Tenancy.name)))
    return [tenancy, *academies] if tenancy.central_staff_use_service else academies


def check_targets(tenancies: Sequence[Tenancy], via: Tenancy | None) -> None:
    """Refuse a target the signer cannot sign for (DocumentsError with the reason)."""
    if not tenancies:
        raise DocumentsError(_("Select what to sign for"))
    for tenancy in tenancies:
        if via is not None:
            if not signable(via, tenancy):
                raise DocumentsError(_("%(name)s is not an academy of %(trust)s", name=tenancy.name, trust=via.name))
        elif tenancy.is_trust and not tenancy.central_staff_use_service:
            raise DocumentsError(
                _(
                    "%(name)s signs for its academies: its own staff are not recorded as using the service",
                    name=tenancy.name,
                )
            )


def sign_agreements(
    tenancies: Sequence[Tenancy],
    *,
    user: Any,
    acceptance: Acceptance,
    version_number: int,
    via: Tenancy | None = None,
) -> list[Agreement]:
    """Sign one agreement per tenancy in one step; each is its own PDF with its own annexes and record."""
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
    check_targets(tenancies, via)
    given = acceptance.cleaned_parties(via or tenancies[0])
    key = acceptance.submission_key
    if key is not None and not valid_submission_key(key):
        raise DocumentsError(_("This form could not be used: nothing was saved. Check your answers and sign again"))
    if not acceptance.confirmed:
        raise parties_module.PartiesError(
            "confirm",
            _(
                "Confirm that you have authority to sign for %(controller)s",
                controller=parties_module.legal_name(via or tenancies[0], given),
            ),
        )
    if key is not None and (earlier := made_with_key(key, tenancies)):
        return Signed(earlier, earlier=True)
    version = latest_text_version()
    if version is None:
        raise DocumentsError(_("There is no agreement to sign yet"))
    if version.number != version_number:
        raise DocumentsError(
            _(
                "A new version (%(number)s) was published while you were reading: read it and sign",
                number=version.number,
            )
        )
    if acceptance.language not in versions.languages_of(version):
        raise DocumentsError(
            _("Version %(number)s of the text cannot be signed in that language", number=version.number)
        )
    if not acceptance.sign_again:
        _refuse_if_signed(tenancies, version)
    prepared = document.prepare(tenancies, version, given, via=via, language=acceptance.language)
    drafts = [_draw_up(one, acceptance) for one in prepared]
    with transactions.without_transaction():
        for draft in drafts:
            draft.pdf = pdfsign.seal_pdf(render.render_pdf(draft.html), current_app.config, reason=draft.reason)
    try:
        with db.session.begin_nested():
            stored = [_store(draft, user, key) for draft in drafts]
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


def _draw_up(prepared: document.Prepared, acceptance: Acceptance) -> _Draft:
    tenancy, version, via, given = prepared.tenancy, prepared.version, prepared.via, prepared.parties
    signed_at = now().replace(microsecond=0)
    ip = (acceptance.ip or "")[:64] or None
    user_agent = _CONTROL.sub(" ", acceptance.user_agent or "")[:400] or None
    controller = prepared.controller
    record = {
        "signer_name": given.signer_name,
        "signer_role": given.signer_role,
        "authority": controller["authority"],
        "tenancy": f"{tenancy.name} ({tenancy.reference})",
        "via": f"{via.name} ({via.reference})" if via is not None and via.id != tenancy.id else "",
        "signed_at_utc": signed_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "ip": ip,
        "user_agent": user_agent,
    }
    return _Draft(
        prepared=prepared,
        signed_at=signed_at,
        ip=ip,
        user_agent=user_agent,
        html=prepared.html(record),
        reason=f"Data processing agreement v{version.number} accepted for {tenancy.name}",
    )


def _store(draft: _Draft, user: Any, key: str | None) -> Agreement:
    prepared, pdf = draft.prepared, draft.pdf
    tenancy, version, via, given = prepared.tenancy, prepared.version, prepared.via, prepared.parties
    controller = prepared.controller
    digest = hashlib.sha256(pdf).hexdigest()
    fourth = prepared.annex_iv
    agreement = Agreement(
        tenancy_id=tenancy.id,
        text_version_id=version.id,
        signed_at=draft.signed_at,
        signer_user_id=None if isinstance(user, audit.Actor) else getattr(user, "id", None),
        signer_name=given.signer_name,
        signer_role=given.signer_role,
        capacity=SignerCapacity.TRUST if via is not None and via.id != tenancy.id else SignerCapacity.SELF,
        signed_via_tenancy_id=via.id if via is not None and via.id != tenancy.id else None,
        controller_name=controller["name"],
        controller_address=given.controller_address,
        companies_house_number=given.companies_house_number or None,
        dpo_name=given.dpo_name,
        dpo_email=given.dpo_email,
        ico_registration=given.ico_registration,
        notice_contact_name=given.notice_contact_name,
        notice_contact_email=given.notice_contact_email,
        authority_statement=controller["authority"],
        ip=draft.ip,
        user_agent=draft.user_agent,
        register_version=fourth["register_version"],
        annex=fourth["included"],
        annexes={"II": prepared.annex_ii, "upcoming": fourth["upcoming"], "excluded": fourth["excluded"]},
        filename=filename_for(tenancy, version.number, draft.signed_at.date().isoformat()),
        sha256=digest,
        size_bytes=len(pdf),
        submission_key=key,
        language=prepared.language,
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
            "language": prepared.language,
            "sha256": digest,
            "signer_role": given.signer_role,
            "via_tenancy_id": agreement.signed_via_tenancy_id,
            "register_version": fourth["register_version"],
            "subprocessors": [line["key"] for line in fourth["included"]],
        },
    )
    return agreement


def filename_for(tenancy: Tenancy, version_number: int, day: str) -> str:
    """A download name naming the school and the date: oakfield-primary-school-dpa-v1-2026-11-23.pdf."""
    ascii_name = unicodedata.normalize("NFKD", tenancy.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80] or "school"
    return f"{slug}-dpa-v{version_number}-{day}.pdf"
