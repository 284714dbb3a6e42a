"""Demo agreements: version 1 of the text, and one school signed so the others show as awaiting signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from portal.audit.service import Actor
from portal.documents import signing, versions
from portal.documents.models import Agreement
from portal.extensions import db
from portal.tenancy.models import Tenancy

SIGNED_SCHOOL = "bramble-hill-infant-school"


def load() -> Iterator[str]:
    """Publish text version 1 if there is none; sign Bramble Hill's agreement once, if the keys exist."""
    version = versions.latest_text_version()
    if version is None:
        version = versions.publish_text_version(actor=Actor.system("demo"), summary="First version of the agreement.")
        yield f"documents: agreement text version {version.number} published"
    school = db.session.scalar(select(Tenancy).where(Tenancy.slug == SIGNED_SCHOOL))
    if school is None or db.session.scalar(select(Agreement.id).where(Agreement.tenancy_id == school.id)):
        return
    if not Path(current_app.config["SIGNING_PKCS12_PATH"]).exists() and not current_app.config["SIGNING_KEY_PATH"]:
        yield "documents: no signing key yet, so no demo agreement is signed"
        return
    acceptance = signing.Acceptance("Helen Ward", "Headteacher", True, ip=None, user_agent="demo loader")
    signing.sign_agreement(school, user=Actor.system("demo"), acceptance=acceptance, version_number=version.number)
    yield f"documents: {school.name} signed version {version.number}; the other schools await signature"
