"""Access rows for agreements: the tenancy's list, signing, downloads, a trust's bundle, /verify, text versions."""

import hashlib
import uuid

from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.extensions import db
from portal.jobs.models import Job, JobItem
from tests.access.matrix import Row

MEMBERS_OWN = "302 200 200 200 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"
SIGNERS_OWN = "302 403 200 200 404 404 404"
SIGNERS_REDIRECT = "302 403 302 302 404 404 404"
# `own` is an academy: the trust-only pages answer 404 there even to its trust admin.
TRUST_ONLY_OWN = "302 403 403 404 404 404 404"
PUBLIC = "200 200 200 200 200 200 200"
VENDOR = "302 403 403 403 403 {0} {0}"


def stored_agreement(world, tenancy):
    """An agreement row of the tenancy (the bytes are a placeholder: access is what is tested here)."""
    version = db.session.query(DpaTextVersion).filter_by(number=1).one_or_none()
    if version is None:
        version = DpaTextVersion(number=1, content="{}", sha256="0" * 64, summary="Matrix")
        db.session.add(version)
        db.session.flush()
    pdf = f"%PDF-1.7 matrix agreement {tenancy.id} {uuid.uuid4()}".encode()
    agreement = Agreement(
        tenancy_id=tenancy.id,
        text_version_id=version.id,
        signed_at=version.published_at,
        signer_name="Matrix Lead",
        signer_role="Head",
        capacity=SignerCapacity.SELF,
        annex=[],
        filename="matrix.pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        pdf=pdf,
    )
    db.session.add(agreement)
    db.session.flush()
    return {"agreement_id": agreement.id}


def stored_job(world, tenancy):
    """A signing job of the tenancy, one item long (its page and retry are what is tested here)."""
    job = Job(kind="trust_signing", tenancy_id=tenancy.id, params={}, total=1)
    job.items = [JobItem(target_id=tenancy.id, label=tenancy.name)]
    db.session.add(job)
    db.session.flush()
    return {"job_id": job.id}


ROWS = [
    Row("documents.agreements", own=MEMBERS_OWN, other=OUTSIDER),
    # Without answers from the first step, the check page and the draft send the signer back to it.
    Row("documents.sign", own=SIGNERS_REDIRECT, other=OUTSIDER),
    Row(
        "documents.sign",
        "POST",
        own=SIGNERS_REDIRECT,
        other=OUTSIDER,
        data=lambda w, t: {"confirm": "y", "version": "1"},
    ),
    Row("documents.sign_details", own=SIGNERS_OWN, other=OUTSIDER),
    Row(
        "documents.sign_details",
        "POST",
        own=SIGNERS_OWN,
        other=OUTSIDER,
        data=lambda w, t: {"signer_name": "", "signer_role": ""},
    ),
    Row(
        "documents.sign_draft",
        own=SIGNERS_REDIRECT,
        other=OUTSIDER,
        values=lambda w, t: {"target_id": t.id},
    ),
    Row("documents.download", own=MEMBERS_OWN, other=OUTSIDER, cross=OUTSIDER, values=stored_agreement),
    Row("documents.academies_zip", own=TRUST_ONLY_OWN, other=OUTSIDER),
    # A trust's signing job (#26): trust admins only, and only their own trust's.
    # (Another trust's job answers 404 to a trust admin: tests/documents/test_signing_job.py.)
    Row("documents.signing_job", own=TRUST_ONLY_OWN, other=OUTSIDER, values=stored_job),
    Row(
        "documents.signing_job_retry",
        "POST",
        own=TRUST_ONLY_OWN,
        other=OUTSIDER,
        values=stored_job,
        data=lambda w, t: {},
    ),
    Row("documents.verify", status=PUBLIC),
    Row("documents.verify", "POST", status=PUBLIC, data=lambda w, t: {}),
    Row("vendor_agreements.text_versions", status=VENDOR.format(200)),
    # Vendor admins only, with a recent sign-in (#18).
    Row("vendor_agreements.preview_text", status="302 403 403 403 403 403 200"),
    Row(
        "vendor_agreements.publish_text",
        "POST",
        status="302 403 403 403 403 403 302",
        data=lambda w, t: {"summary": "Matrix version"},
    ),
]
