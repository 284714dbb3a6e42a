"""A trust signs for any number of academies in one action: a job, one academy per item (#26).

The request checks what it can (targets, confirmation, text version, parties) and writes the job in
its own transaction; a worker signs each academy with the job's agreement key, stored with each
agreement under the unique (tenancy, submission key) constraint. Run again after a killed worker, an
academy already signed by this job is found by its key and not signed twice; one signed for this text
version by anyone else is reported as a failure with the reason, unless the signer chose to sign again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.service import Actor
from portal.auth.models import User
from portal.documents import parties as parties_module
from portal.documents import signing
from portal.documents.parties import Parties
from portal.documents.versions import DocumentsError, languages_of, latest_text_version
from portal.extensions import db
from portal.jobs import service as jobs
from portal.jobs.models import Job, JobItem
from portal.tenancy.models import Tenancy
from portal.web.forms import new_submission_key, valid_submission_key

KIND = "trust_signing"


def start(
    trust: Tenancy, targets: Sequence[Tenancy], *, user: Any, acceptance: signing.Acceptance, version_number: int
) -> Job:
    """Ask for the trust's agreements to be signed (one job; the form's key makes a second press return it)."""
    signing.check_targets(targets, trust)
    given = acceptance.cleaned_parties(trust)
    if not acceptance.confirmed:
        raise parties_module.PartiesError(
            "confirm",
            _(
                "Confirm that you have authority to sign for %(controller)s",
                controller=parties_module.legal_name(trust, given),
            ),
        )
    key = acceptance.submission_key
    if key is not None and not valid_submission_key(key):
        raise DocumentsError(_("This form could not be used: nothing was saved. Check your answers and sign again"))
    if key is not None and (earlier := made_with_key(trust, key)) is not None:
        return earlier  # this form was sent before: its job, not a refusal
    if (running := latest_for(trust)) is not None and not running.finished:
        # Two jobs at once could each find an academy unsigned and both sign it.
        raise DocumentsError(
            _("Agreements are already being signed for %(trust)s: wait for that to finish", trust=trust.name)
        )
    version = latest_text_version()
    if version is None or version.number != version_number:
        raise DocumentsError(_("A new version was published while you were reading: read it and sign"))
    if acceptance.language not in languages_of(version):
        raise DocumentsError(
            _("Version %(number)s of the text cannot be signed in that language", number=version.number)
        )
    params = {
        "version": version_number,
        "parties": given.as_dict(),
        "signer_name": given.signer_name,
        "signer_role": given.signer_role,
        "ip": acceptance.ip,
        "user_agent": acceptance.user_agent,
        "sign_again": acceptance.sign_again,
        "language": acceptance.language,
        # Every agreement this job makes carries this key: the unique constraint makes each academy once.
        "agreement_key": new_submission_key(),
    }
    return jobs.create_job(
        KIND,
        tenancy_id=trust.id,
        actor=user,
        targets=[jobs.Target(t.id, t.name) for t in targets],
        params=params,
        request_key=key,
    )


@jobs.handler(KIND)
def sign_item(job: Job, item: JobItem) -> int:
    """Sign one academy of the job (or find the agreement this job made for it before it was interrupted)."""
    trust = db.session.get(Tenancy, job.tenancy_id)
    target = db.session.get(Tenancy, item.target_id)
    if trust is None or target is None or not signing.signable(trust, target):
        raise jobs.JobItemFailed(_("%(name)s is no longer an academy of the trust", name=item.label))
    params = job.params
    user = db.session.get(User, job.created_by_user_id) if job.created_by_user_id else None
    acceptance = signing.Acceptance(
        params["signer_name"],
        params["signer_role"],
        True,
        params.get("ip"),
        params.get("user_agent"),
        Parties.from_dict(params["parties"]),
        submission_key=params["agreement_key"],
        sign_again=bool(params.get("sign_again")),
        language=str(params.get("language") or "en"),
    )
    try:
        signed = signing.sign(
            [target],
            user=user if user is not None else Actor.system("trust signing"),
            acceptance=acceptance,
            version_number=int(params["version"]),
            via=trust,
        )
    except (DocumentsError, parties_module.PartiesError) as error:
        raise jobs.JobItemFailed(str(error)) from error
    return signed.agreements[0].id


def latest_for(trust: Tenancy) -> Job | None:
    """The trust's most recent signing job, for the agreements page to link to."""
    return db.session.scalar(
        select(Job).where(Job.tenancy_id == trust.id, Job.kind == KIND).order_by(Job.id.desc()).limit(1)
    )


def made_with_key(trust: Tenancy, key: str) -> Job | None:
    """The trust's signing job a sign form with this one-time key asked for."""
    return db.session.scalar(select(Job).where(Job.request_key == key, Job.tenancy_id == trust.id, Job.kind == KIND))
