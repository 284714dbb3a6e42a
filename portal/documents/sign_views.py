"""Signing as a GOV.UK check-your-answers journey: annex I details, then the agreement as it will be sealed.

Step 1 (`sign_details`) takes the parties (and, for a trust, what to sign for) and keeps them in the
session; step 2 (`sign`) shows the parties, the annexes exactly as printed and a link to the unsigned
draft, then the declaration. Both the page and the PDFs come from `document.prepare`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import policy, transactions
from portal.documents import document, parties, signing, signing_jobs, versions
from portal.documents.forms import LANGUAGE_NAMES, PartiesForm, SignForm, TrustPartiesForm, current_language
from portal.documents.views import bp
from portal.extensions import db
from portal.jobs import queue as jobs_queue
from portal.jobs.models import Job
from portal.policy import Permission
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy
from portal.web.forms import valid_submission_key

ANSWERS = "dpa_sign"
PARTY_FIELDS = tuple(name for name in parties.Parties.__dataclass_fields__)


def _answers(tenancy: Tenancy) -> dict[str, Any] | None:
    found = session.get(ANSWERS)
    return found if isinstance(found, dict) and found.get("tenancy") == tenancy.id else None


def _targets(tenancy: Tenancy, answers: dict[str, Any]) -> list[Tenancy]:
    chosen = {int(i) for i in answers.get("targets", [])}
    return [t for t in signing.targets_for(tenancy) if t.id in chosen]


def _may_sign_here(tenancy: Tenancy) -> None:
    if tenancy.is_trust and not policy.may(current_user, Permission.ACT_FOR_TRUST, tenancy):
        abort(403)


@bp.route("/agreements/sign/details", methods=["GET", "POST"])
@policy.allow(policy.tenancy(Permission.SIGN_AGREEMENTS))
def sign_details() -> Any:
    tenancy = current_tenancy()
    _may_sign_here(tenancy)
    version = versions.latest_text_version()
    choices = signing.targets_for(tenancy)
    form: PartiesForm = TrustPartiesForm() if tenancy.is_trust else PartiesForm()
    if isinstance(form, TrustPartiesForm):
        form.targets.choices = [SelectChoice(str(t.id), _target_label(t)) for t in choices]
    if request.method == "GET":
        _fill(form, tenancy, choices)
    elif version is not None and choices and form.validate_on_submit():
        given = parties.Parties.from_dict({name: getattr(form, name).data for name in PARTY_FIELDS})
        chosen = [int(v) for v in (getattr(form, "targets", None) and form.targets.data) or [str(tenancy.id)]]
        try:
            cleaned = parties.clean(tenancy, given)
        except parties.PartiesError as error:
            field = getattr(form, error.field, None) or form.signer_name
            field.errors = [*field.errors, str(error)]
        else:
            session[ANSWERS] = {"tenancy": tenancy.id, "parties": cleaned.as_dict(), "targets": chosen}
            return redirect(url_for("documents.sign"))
    return render_template(
        "documents/sign_details.html",
        form=form,
        tenancy=tenancy,
        version=version,
        choices=choices,
        independent=parties.is_independent(tenancy),
        controller_name=parties.legal_name(tenancy),
    )


def _target_label(target: Tenancy) -> str:
    if target.is_trust:
        return str(_("%(trust)s itself, for its central staff", trust=target.name))
    return f"{target.name} (URN {target.urn})"


def _fill(form: PartiesForm, tenancy: Tenancy, choices: list[Tenancy]) -> None:
    answers = _answers(tenancy)
    given = (
        parties.Parties.from_dict(answers["parties"])
        if answers
        else parties.prefill(tenancy, getattr(current_user, "display_name", "") or "")
    )
    for name in PARTY_FIELDS:
        getattr(form, name).data = getattr(given, name)
    if isinstance(form, TrustPartiesForm):
        if answers and answers["targets"]:
            form.targets.data = [str(i) for i in answers["targets"]]
        else:
            needing = [s.tenancy for s in versions.statuses(choices) if s.needs_signature]
            form.targets.data = [str(t.id) for t in needing]


@bp.route("/agreements/sign", methods=["GET", "POST"])
@policy.allow(policy.tenancy(Permission.SIGN_AGREEMENTS))
def sign() -> Any:
    tenancy = current_tenancy()
    _may_sign_here(tenancy)
    answers = _answers(tenancy)
    version = versions.latest_text_version()
    targets = _targets(tenancy, answers) if answers else []
    if version is None or not targets:
        if request.method == "POST" and tenancy.is_trust and (job := _job_made_earlier(tenancy)):
            return redirect(url_for("documents.signing_job", job_id=job.id))
        if request.method == "POST" and (earlier := _made_earlier(tenancy)):
            # A second press after the first signed (and closed the journey): the first press's answer.
            return _signed(tenancy, signing.Signed(earlier, earlier=True))
        return redirect(url_for("documents.sign_details"))
    given = parties.Parties.from_dict(answers["parties"]) if answers else parties.Parties()
    via = tenancy if tenancy.is_trust else None
    form = SignForm()
    _offer_languages(form, version)
    status = 200
    if form.validate_on_submit():
        acceptance = signing.Acceptance(
            given.signer_name,
            given.signer_role,
            bool(form.confirm.data),
            request.remote_addr,
            request.user_agent.string,
            given,
            submission_key=form.submission_key.data or None,
            sign_again=bool(form.sign_again.data),
            language=str(form.language.data),
        )
        if tenancy.is_trust:
            return _start_job(tenancy, targets, acceptance, form)
        try:
            signed = signing.sign(
                targets, user=current_user, acceptance=acceptance, version_number=_int(form.version.data), via=via
            )
        except versions.DocumentsError as error:
            db.session.rollback()
            form.confirm.errors = [*form.confirm.errors, str(error)]
        except Exception as error:
            status = _signing_failed(error, form.confirm)
        else:
            db.session.commit()
            return _signed(tenancy, signed)
    return _render_sign(tenancy, targets, form, status)


def _render_sign(tenancy: Tenancy, targets: list[Tenancy], form: SignForm, status: int) -> Any:
    answers = _answers(tenancy)
    version = versions.latest_text_version()
    if version is None:
        return redirect(url_for("documents.sign_details"))
    given = parties.Parties.from_dict(answers["parties"]) if answers else parties.Parties()
    form.version.data = str(version.number)
    _offer_languages(form, version)
    # The text is shown in the language asked for (a link on the page), else the one chosen in the form.
    language = versions.language_for(version, request.args.get("language") or form.language.data)
    if request.method == "GET":
        form.language.data = language
    prepared = document.prepare(targets, version, given, via=tenancy if tenancy.is_trust else None, language=language)
    form.confirm.label.text = prepared[0].controller["authority"]
    return render_template(
        "documents/sign.html",
        form=form,
        tenancy=tenancy,
        version=version,
        language=language,
        languages=versions.languages_of(version),
        language_names=LANGUAGE_NAMES,
        text=versions.text_in(version.data, language),
        prepared=prepared,
        given=given,
        controller=prepared[0].controller,
        already_signed=signing.already_signed(targets),
    ), status


def _offer_languages(form: SignForm, version: Any) -> None:
    """The language versions this text can be signed in (English only for a text published before Welsh)."""
    codes = versions.languages_of(version) if version is not None else ["en"]
    form.language.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in codes]
    if "language" not in request.form:
        # Not offered (an English-only text) or not sent: the page's language where the text has it.
        form.language.data = versions.language_for(version, form.language.data) if version is not None else "en"


def _start_job(tenancy: Tenancy, targets: list[Tenancy], acceptance: signing.Acceptance, form: SignForm) -> Any:
    """A trust's signing runs as a job: written with this request, then watched on its own page."""
    try:
        job = signing_jobs.start(
            tenancy, targets, user=current_user, acceptance=acceptance, version_number=_int(form.version.data)
        )
    except (versions.DocumentsError, parties.PartiesError) as error:
        db.session.rollback()
        form.confirm.errors = [*form.confirm.errors, str(error)]
        return _render_sign(tenancy, targets, form, 200)
    db.session.commit()
    jobs_queue.dispatch(job.id)
    session.pop(ANSWERS, None)
    return redirect(url_for("documents.signing_job", job_id=job.id))


def _job_made_earlier(tenancy: Tenancy) -> Job | None:
    """The signing job a submission with this form's key asked for, if this trust's."""
    key = request.form.get("submission_key", "")
    return signing_jobs.made_with_key(tenancy, key) if valid_submission_key(key) else None


def _made_earlier(tenancy: Tenancy) -> list[Any]:
    """The agreements a submission with this form's key made, for what this tenancy may sign for."""
    key = request.form.get("submission_key", "")
    if not valid_submission_key(key):
        return []
    return signing.made_with_key(key, signing.targets_for(tenancy))


def _signed(tenancy: Tenancy, signed: signing.Signed) -> Any:
    """Where a submission lands, saying whether this press made the agreements or an earlier one did."""
    if signed.earlier:
        session.pop(ANSWERS, None)
        flash(
            _(
                "This form was already submitted and the agreement made then: nothing new was signed (file %(names)s).",
                names=", ".join(a.filename for a in signed.agreements),
            )
        )
        return redirect(url_for("documents.agreements"))
    # A school signs for itself here; a trust's signing is a job (_start_job), watched on its own page.
    names = ", ".join(a.tenancy.name for a in signed.agreements)
    session.pop(ANSWERS, None)
    flash(_("Agreement signed for %(names)s. Download it from the list below.", names=names))
    return redirect(url_for("documents.agreements"))


def _signing_failed(error: Exception, field: Any) -> int:
    """Signing broke on our side: the page comes back as it was, saying nothing was saved (503)."""
    if transactions.should_retry(error):
        raise error  # the request is run once more (portal/transactions.py)
    db.session.rollback()
    current_app.logger.exception("signing failed", exc_info=error)
    field.errors = [
        *field.errors,
        _("Sorry, the agreement could not be signed because of a problem on our side. Nothing was saved: try again"),
    ]
    return 503


@bp.get("/agreements/sign/draft/<int:target_id>.pdf")
@policy.allow(policy.tenancy(Permission.SIGN_AGREEMENTS))
def sign_draft(target_id: int) -> Response:
    tenancy = current_tenancy()
    _may_sign_here(tenancy)
    answers = _answers(tenancy)
    version = versions.latest_text_version()
    targets = [t for t in (_targets(tenancy, answers) if answers else []) if t.id == target_id]
    if version is None or answers is None:
        return redirect(url_for("documents.sign_details"))  # type: ignore[return-value]
    if not targets:
        abort(404)
    given = parties.Parties.from_dict(answers["parties"])
    # The draft follows the page's language, or the language version the check page links it in.
    language = versions.language_for(version, request.args.get("language") or current_language())
    via = tenancy if tenancy.is_trust else None
    prepared = document.prepare(targets, version, given, via=via, language=language)[0]
    name = signing.filename_for(prepared.tenancy, version.number, "draft").replace("-draft.pdf", "-unsigned-draft.pdf")
    response = Response(document.draft_pdf(prepared), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
