"""The vendor's register console: edit the one draft, publish it, and define tenancy options."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.audit.service import Actor
from portal.dates import uk_today
from portal.extensions import db
from portal.register import materiality, service, welsh
from portal.register import options as option_service
from portal.register.choices import load_options
from portal.register.errors import RegisterError
from portal.register.facts import EntryFacts
from portal.register.forms import EntryForm, NotesForm, OptionDefinitionForm, PublishForm, StatementForm
from portal.register.models import (
    ENTRY_TEXT_FIELDS,
    ENTRY_WELSH_FIELDS,
    EntryKind,
    EntryStatus,
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
    TenancyOption,
)
from portal.web.messages import success

bp = policy.declare(
    Blueprint("register_admin", __name__, url_prefix="/vendor/register"),
    policy.vendor(policy.Permission.MANAGE_REGISTER),
)
PUBLISH = policy.vendor(policy.Permission.MANAGE_REGISTER, recent_sign_in=True)
Page = str | Response | tuple[str, int]


def _actor() -> Actor:
    return Actor.of(current_user)


def _draft() -> RegisterVersion:
    draft = service.draft_version()
    if draft is None:
        flash(_("There is no draft. Start one from the current version."))
        abort(redirect(url_for(".home")))
    return draft


def _refused(error: RegisterError, form: Any, template: str, **context: Any) -> tuple[str, int]:
    """Show a domain error on the form that caused it; nothing was written."""
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    target = field if field is not None else next(iter(form))
    target.errors = [*target.errors, error.message]
    return render_template(template, form=form, **context), 400


@bp.get("/")
def home() -> str:
    current, options = service.current_version(), load_options()
    return render_template(
        "register/admin_home.html",
        current=current,
        draft=service.draft_version(),
        versions=service.published_versions(),
        options=options,
        untranslated=welsh.untranslated(current, options, version_fields=("summary", "notes")),
    )


@bp.post("/draft")
def start_draft() -> Response:
    try:
        service.start_draft(actor=_actor())
    except RegisterError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for(".home"))
    db.session.commit()
    success(_("Draft started from the current version."))
    return redirect(url_for(".draft"))


@bp.get("/draft")
def draft() -> str:
    found = _draft()
    current = service.current_version()
    return render_template(
        "register/admin_draft.html",
        draft=found,
        comparison=service.compare_versions(current, found) if current else None,
        notes_form=NotesForm(notes=found.notes, notes_cy=found.notes_cy),
        untranslated=welsh.untranslated(found),
    )


def _entry_data(form: EntryForm) -> service.EntryData:
    return service.EntryData(
        key=form.key.data.strip(),
        kind=EntryKind(form.kind.data),
        status=EntryStatus(form.status.data),
        **{name: (getattr(form, name).data or "").strip() for name in ENTRY_TEXT_FIELDS},
        condition_service=(form.condition_service.data or "").strip() or None,
        effective_on=form.effective_on.data,
        retires_on=form.retires_on.data,
        facts_data=form.facts_value().to_json(),
        **_welsh_data(form),
    )


def _welsh_data(form: EntryForm) -> dict[str, Any]:
    """The entry's Welsh texts (#29): None where left blank, so pages fall back to the English."""
    return {name: (getattr(form, name).data or "").strip() or None for name in ENTRY_WELSH_FIELDS.values()}


def _draft_child(model: type[Any], child_id: int, draft: RegisterVersion) -> Any:
    found = db.session.scalar(select(model).where(model.id == child_id, model.version_id == draft.id))
    if found is None:
        abort(404)
    return found


@bp.route("/draft/entries/new", methods=["GET", "POST"], defaults={"entry_id": None})
@bp.route("/draft/entries/<int:entry_id>", methods=["GET", "POST"])
def edit_entry(entry_id: int | None) -> Page:
    found = _draft()
    entry = _draft_child(RegisterEntry, entry_id, found) if entry_id else None
    form = EntryForm(obj=entry)
    if entry is not None and not form.is_submitted():
        form.kind.data, form.status.data = entry.kind.value, entry.status.value
        form.fill_facts(entry.facts)
    elif not form.is_submitted():
        form.fill_facts(EntryFacts())
    if not form.validate_on_submit():
        return render_template("register/admin_entry.html", form=form, entry=entry), (400 if form.errors else 200)
    try:
        if entry is None:
            service.add_entry(found, _entry_data(form), actor=_actor())
        else:
            service.update_entry(found, entry, _entry_data(form), actor=_actor())
    except RegisterError as error:
        return _refused(error, form, "register/admin_entry.html", entry=entry)
    db.session.commit()
    success(_("%(supplier)s saved in the draft.", supplier=form.supplier.data))
    return redirect(url_for(".draft"))


@bp.post("/draft/entries/<int:entry_id>/remove")
def remove_entry(entry_id: int) -> Response:
    found = _draft()
    entry = _draft_child(RegisterEntry, entry_id, found)
    service.remove_entry(found, entry, actor=_actor())
    db.session.commit()
    success(_("%(supplier)s removed from the draft.", supplier=entry.supplier))
    return redirect(url_for(".draft"))


@bp.route("/draft/statements/new", methods=["GET", "POST"], defaults={"statement_id": None})
@bp.route("/draft/statements/<int:statement_id>", methods=["GET", "POST"])
def edit_statement(statement_id: int | None) -> Page:
    found = _draft()
    statement = _draft_child(NotSubProcessor, statement_id, found) if statement_id else None
    form = StatementForm(obj=statement)
    if not form.validate_on_submit():
        return render_template("register/admin_statement.html", form=form, statement=statement), (
            400 if form.errors else 200
        )
    try:
        if statement is None:
            service.add_statement(
                found,
                supplier=form.supplier.data,
                reason=form.reason.data,
                reason_cy=form.reason_cy.data,
                actor=_actor(),
            )
        else:
            service.update_statement(
                found,
                statement,
                supplier=form.supplier.data,
                reason=form.reason.data,
                reason_cy=form.reason_cy.data,
                actor=_actor(),
            )
    except RegisterError as error:
        return _refused(error, form, "register/admin_statement.html", statement=statement)
    db.session.commit()
    success(_("Statement about %(supplier)s saved.", supplier=form.supplier.data))
    return redirect(url_for(".draft"))


@bp.post("/draft/statements/<int:statement_id>/remove")
def remove_statement(statement_id: int) -> Response:
    found = _draft()
    statement = _draft_child(NotSubProcessor, statement_id, found)
    service.remove_statement(found, statement, actor=_actor())
    db.session.commit()
    success(_("Statement about %(supplier)s removed.", supplier=statement.supplier))
    return redirect(url_for(".draft"))


@bp.post("/draft/notes")
def save_notes() -> Page:
    found = _draft()
    form = NotesForm()
    if not form.validate_on_submit():
        flash(_("Notes are at most 4,000 characters: nothing was saved."))
        return redirect(url_for(".draft"))
    service.update_draft_notes(found, notes=form.notes.data or "", notes_cy=form.notes_cy.data, actor=_actor())
    db.session.commit()
    success(_("Notes saved."))
    return redirect(url_for(".draft"))


@bp.route("/draft/publish", methods=["GET", "POST"])
@policy.allow(PUBLISH)
def publish() -> Page:
    found = _draft()
    current = service.current_version()
    form = PublishForm()
    if not form.is_submitted():
        form.number.data = found.number
        form.owner_name.data, form.contact_email.data = found.owner_name, found.contact_email
        form.reviewed_on.data = uk_today()
    differences = [d for d in materiality.compare_versions(current, found) if d.change != "unchanged"]
    context = {"draft": found, "current": current, "differences": differences}
    if not form.validate_on_submit():
        return render_template("register/admin_publish.html", form=form, **context), (400 if form.errors else 200)
    try:
        version = service.publish_register(
            found,
            number=form.number.data,
            owner_name=form.owner_name.data,
            contact_email=form.contact_email.data,
            reviewed_on=form.reviewed_on.data,
            next_review_on=form.next_review_on.data,
            summary=form.summary.data,
            summary_cy=form.summary_cy.data,
            actor=_actor(),
        )
    except RegisterError as error:
        return _refused(error, form, "register/admin_publish.html", **context)
    db.session.commit()
    if version.material:
        success(_("Version %(number)s published. Subscribers and data leads will be emailed.", number=version.number))
    else:
        success(
            _("Version %(number)s published. Its changes are editorial: nobody was emailed.", number=version.number)
        )
    return redirect(url_for("register.public_register"))


@bp.get("/draft/discard")
def confirm_discard() -> str:
    """Ask first (#25): discarding deletes every edit in the draft, and nothing brings it back."""
    draft = _draft()
    current = service.current_version()
    return render_template(
        "web/confirm.html",
        title=_("Discard draft version %(number)s?", number=draft.number),
        caption=_("Sub-processor register"),
        consequences=[
            _(
                "Every entry, statement and note edited in this draft (%(count)s entries) is deleted.",
                count=len(draft.entries),
            ),
            _("The published register stays as it is: version %(number)s.", number=current.number)
            if current is not None
            else _("No version of the register has been published yet."),
        ],
        warning=_("You cannot undo this. To change the register again, start a new draft."),
        action=url_for(".discard"),
        button=_("Discard the draft"),
        back_href=url_for(".draft"),
        back_text=_("Keep the draft"),
    )


@bp.post("/draft/discard")
def discard() -> Response:
    service.discard_draft(_draft(), actor=_actor())
    db.session.commit()
    success(_("Draft discarded. The published register is unchanged."))
    return redirect(url_for(".home"))


def _option_form(option: TenancyOption | None) -> OptionDefinitionForm:
    form = OptionDefinitionForm(obj=option)
    version = service.current_version()
    draft = service.draft_version()
    entries = {e.key: e.supplier for v in (version, draft) if v for e in v.entries}
    form.entry_keys.choices = [
        SelectChoice(key, f"{name} ({key})") for key, name in sorted(entries.items(), key=lambda kv: kv[1])
    ]
    if option is not None and not form.is_submitted():
        form.default.data = "on" if option.default_enabled else "off"
        form.entry_keys.data = option.entry_keys
    return form


@bp.route("/options/new", methods=["GET", "POST"], defaults={"option_id": None})
@bp.route("/options/<int:option_id>", methods=["GET", "POST"])
def edit_option(option_id: int | None) -> Page:
    option = None
    if option_id is not None:
        query = select(TenancyOption).where(TenancyOption.id == option_id).options(selectinload(TenancyOption.governed))
        option = db.session.scalar(query) or abort(404)
    form = _option_form(option)
    if option is not None:
        form.key.data = option.key  # the key names the option in every tenancy's settings: fixed
    if not form.validate_on_submit():
        return render_template("register/admin_option.html", form=form, option=option), (400 if form.errors else 200)
    values = {
        "name": form.name.data,
        "description": form.description.data,
        "name_cy": form.name_cy.data,
        "description_cy": form.description_cy.data,
        "default_enabled": form.default.data == "on",
        "entry_keys": form.entry_keys.data or [],
        "actor": _actor(),
    }
    try:
        if option is None:
            option = option_service.define_option(key=form.key.data, **values)
        else:
            option_service.update_option(option, **values)
    except RegisterError as error:
        return _refused(error, form, "register/admin_option.html", option=option)
    db.session.commit()
    success(_("Option “%(name)s” saved.", name=option.name))
    return redirect(url_for(".home", _anchor="options"))
