"""Demo agreements: version 1 of the text, and one school signed so the others show as awaiting signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.audit.service import Actor
from portal.documents import signing, versions
from portal.documents.models import Agreement
from portal.documents.parties import Parties
from portal.extensions import db
from portal.tenancy.models import Tenancy

SIGNED_SCHOOL = "bramble-hill-infant-school"
WELSH_SCHOOL = "ysgol-gymraeg-cwm-derw"
# Who signed for which school, and in which language version of the text (#29); the others await signature.
SIGNERS = (
    (
        SIGNED_SCHOOL,
        Parties(
            controller_address="Bramble Hill Infant School, Church Lane, Wakefield WF1 2AB",
            dpo_name="Wakefield Schools DPO Service",
            dpo_email="dpo@wakefield-schools.example",
            ico_registration="ZA765432",
            notice_contact_name="Helen Ward",
            notice_contact_email="head@bramblehill.example",
        ),
        ("Helen Ward", "Headteacher"),
        "en",
    ),
    (
        WELSH_SCHOOL,
        Parties(
            controller_address="Ysgol Gymraeg Cwm Derw, Heol y Coed, Caerdydd CF14 2AB",
            dpo_name="Gwasanaeth Swyddog Diogelu Data Ysgolion Caerdydd",
            dpo_email="sdd@ysgolion-caerdydd.example",
            ico_registration="ZA876543",
            notice_contact_name="Elin Prys",
            notice_contact_email="elin.prys@cwmderw.example",
        ),
        ("Elin Prys", "Pennaeth"),
        "cy",
    ),
)
REWRITE = (
    "Rewritten from UK GDPR Article 28 and the Data Protection Act 2018: interpretation, your obligations and "
    "rights, no model training on your data, sub-processor notice in clear days with a standstill while you "
    "object, transfers in the Data (Use and Access) Act 2025's terms, public-authority requests, complaints, "
    "breach notice contents, and a complete annex I and annex IV; in English and Welsh, of equal standing."
)


def load() -> Iterator[str]:
    """Publish text version 1 if there is none; sign the demo schools' agreements once, if the keys exist."""
    version = versions.latest_text_version()
    if version is None:
        version = versions.publish_text_version(actor=Actor.system("demo"), summary="First version of the agreement.")
        yield f"documents: agreement text version {version.number} published"
    elif version.sha256 != versions.text_digest():
        # A database loaded before the text was rewritten: publish the new text; earlier signatures stay.
        version = versions.publish_text_version(actor=Actor.system("demo"), summary=REWRITE)
        yield f"documents: agreement text version {version.number} published"
    if not Path(current_app.config["SIGNING_PKCS12_PATH"]).exists() and not current_app.config["SIGNING_KEY_PATH"]:
        yield "documents: no signing key yet, so no demo agreement is signed"
        return
    for slug, given, (name, role), language in SIGNERS:
        school = db.session.scalar(select(Tenancy).where(Tenancy.slug == slug))
        if school is None or db.session.scalar(select(Agreement.id).where(Agreement.tenancy_id == school.id)):
            continue
        acceptance = signing.Acceptance(name, role, True, None, "demo loader", given, language=language)
        signing.sign_agreement(school, user=Actor.system("demo"), acceptance=acceptance, version_number=version.number)
        in_words = "in Welsh" if language == "cy" else "in English"
        yield f"documents: {school.name} signed version {version.number} {in_words}"
