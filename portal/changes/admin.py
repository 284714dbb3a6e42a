"""Vendor staff: announce changes (/vendor/changes) and handle objections to a decision (/vendor/objections)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.audit.service import Actor
from portal.auth.models import User
from portal.changes import objection_mail, objections, queries, service, window
from portal.changes.errors import ChangeError
from portal.changes.forms import AnnounceForm, DecideForm, WithdrawNoticeForm, WrittenObjectionForm
from portal.changes.models import ChangeKind, Objection
from portal.changes.states import OPEN_STATES, TRANSITIONS, IllegalTransition, ObjectionChannel, ObjectionState
from portal.dates import govuk_date, uk_today
from portal.extensions import db
from portal.pagination import requested_page
from portal.policy import Permission
from portal.web.messages import success

bp = policy.declare(
    Blueprint("changes_admin", __name__, url_prefix="/vendor"), policy.vendor(Permission.HANDLE_OBJECTIONS)
)
REGISTER = policy.vendor(Permission.MANAGE_REGISTER)


@bp.get("/changes")
@policy.allow(REGISTER)
def notices() -> str:
    return render_template("changes/admin_notices.html", notices=service.recent_notices())


@bp.route("/changes/new", methods=["GET", "POST"])
@policy.allow(REGISTER)
def announce() -> str | Response | tuple[str, int]:
    form = AnnounceForm()
    entries = service.register_candidates()
    form.entry_key.choices = [SelectChoice("", _("Select a supplier"))] + [
        SelectChoice(e.key, f"{e.supplier} ({e.status.label.lower()})") for e in entries
    ]
    form.replaces_key.choices = [SelectChoice("", _("Not a replacement"))] + [
        SelectChoice(e.key, e.supplier) for e in entries
    ]
    if form.validate_on_submit() and form.effective_on.data is not None:
        try:
            notice = service.announce_change(
                kind=ChangeKind(form.kind.data),
                entry_key=form.entry_key.data or "",
                replaces_key=form.replaces_key.data or None,
                title=form.title.data or "",
                reason=form.reason.data or "",
                effective_on=form.effective_on.data,
                actor=Actor.of(current_user),
            )
        except ChangeError as error:
            field = getattr(form, error.field or "entry_key")
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            success(
                _("Change announced: “%(title)s”. Every data lead and subscriber is being emailed.", title=notice.title)
            )
            return redirect(url_for("changes_admin.notices"))
        return render_template("changes/admin_announce.html", form=form, has_entries=bool(entries)), 400
    status = 400 if form.errors else 200
    return render_template("changes/admin_announce.html", form=form, has_entries=bool(entries)), status


@bp.get("/changes/<int:notice_id>")
@policy.allow(REGISTER)
def notice(notice_id: int) -> str:
    return _notice_page(notice_id, WithdrawNoticeForm())


@bp.post("/changes/<int:notice_id>/withdraw")
@policy.allow(REGISTER)
def withdraw_notice(notice_id: int) -> str | Response | tuple[str, int]:
    form = WithdrawNoticeForm()
    found = service.get_notice(notice_id)
    if found is None:
        abort(404)
    if form.validate_on_submit():
        try:
            closed = service.withdraw_notice(found, reason=form.reason.data or "", actor=Actor.of(current_user))
        except ChangeError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            db.session.commit()
            success(
                ngettext(
                    "“%(title)s” is withdrawn; %(num)d open objection closed.",
                    "“%(title)s” is withdrawn; %(num)d open objections closed.",
                    closed,
                    title=found.title,
                )
            )
            return redirect(url_for("changes_admin.notice", notice_id=notice_id))
    return _notice_page(notice_id, form), 400


def _notice_page(notice_id: int, form: WithdrawNoticeForm) -> str:
    found = service.get_notice(notice_id)
    if found is None:
        abort(404)
    return render_template("changes/admin_notice.html", change=found, form=form)


@bp.route("/changes/<int:notice_id>/record-objection", methods=["GET", "POST"])
def record_objection(notice_id: int) -> str | Response | tuple[str, int]:
    """Record an objection that arrived by email or letter, for the school or trust that sent it."""
    change = service.get_notice(notice_id)
    if change is None:
        abort(404)
    form = WrittenObjectionForm()
    if form.validate_on_submit() and form.received_on.data is not None:
        owner = queries.tenancy_by_reference(form.organisation.data or "")
        if owner is None:
            form.organisation.errors = [_("No school or trust in the portal has that URN, group id or address")]
        else:
            written = objections.WrittenObjection(
                ObjectionChannel(form.channel.data), form.received_on.data, form.sender.data or ""
            )
            try:
                found = objections.lodge_objection(
                    change, owner, grounds=form.grounds.data or "", actor=Actor.of(current_user), written=written
                )
            except ChangeError as error:
                db.session.commit()  # a refusal's audit row, and nothing else, is kept
                field = getattr(form, error.field or "received_on", form.received_on)
                field.errors = [*field.errors, error.message]
            else:
                db.session.commit()
                success(_("Objection recorded for %(name)s; its contacts are being sent a receipt.", name=owner.name))
                return redirect(url_for("changes_admin.objection", objection_id=found.id))
        return render_template("changes/admin_record.html", change=change, form=form), 400
    status = 400 if form.errors else 200
    return render_template("changes/admin_record.html", change=change, form=form), status


@bp.get("/objections")
def queue() -> str:
    change_id = request.args.get("change", type=int)
    state_value = request.args.get("state", "")
    state = ObjectionState(state_value) if state_value in {s.value for s in ObjectionState} else None
    age = request.args.get("age", "")
    page = queries.queue_page(change_id, state, age, requested_page())
    return render_template(
        "changes/admin_queue.html",
        page=page,
        lines=queue_lines(page.items),
        notices=queries.notice_choices(),
        states=list(ObjectionState),
        filters={"change": change_id, "state": state_value, "age": age},
    )


@dataclass(frozen=True)
class QueueLine:
    """One objection as the queue shows it: its link, words and dates, ready to write."""

    href: str
    organisation: str
    change_title: str
    state: str
    lodged: str
    decide_by: str  # "" once decided
    overdue: bool  # open past the change's effective date: the change is held back for that school


def queue_lines(rows: Sequence[Any]) -> list[QueueLine]:
    """The queue's lines, worked out here rather than in the template: a page of 25 rows asked the
    template for about 200 filter and function calls, a quarter of the page's time (#26)."""
    today = uk_today()
    # Rows lodged on the same day share their dates as written: worked out once a day, not once a row.
    written: dict[dt.date, tuple[str, str]] = {}
    lines = []
    for row in rows:
        lodged = row.received_on or uk_today(row.lodged_at)
        dates = written.get(lodged)
        if dates is None:
            dates = written[lodged] = (govuk_date(lodged), govuk_date(window.decision_due(lodged)))
        is_open = row.state in OPEN_STATES
        lines.append(
            QueueLine(
                href=url_for("changes_admin.objection", objection_id=row.id),
                organisation=row.tenancy_name,
                change_title=row.change_title,
                state=row.state.label,  # translated once a language (web.language.label)
                lodged=dates[0],
                decide_by=dates[1] if is_open else "",
                overdue=is_open and today >= row.effective_on,
            )
        )
    return lines


@bp.get("/objections/<int:objection_id>")
def objection(objection_id: int) -> str:
    return _objection_page(objection_id, DecideForm())


@bp.post("/objections/<int:objection_id>/acknowledge")
def acknowledge(objection_id: int) -> Response:
    found = _get(objection_id)
    try:
        objections.acknowledge(found, actor=Actor.of(current_user))
    except IllegalTransition as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        success(_("Objection from %(name)s acknowledged; its data leads are being emailed.", name=found.tenancy.name))
    return redirect(url_for("changes_admin.objection", objection_id=objection_id))


@bp.post("/objections/<int:objection_id>/decide")
def decide(objection_id: int) -> str | Response | tuple[str, int]:
    found = _get(objection_id)
    form = DecideForm()
    if form.validate_on_submit():
        decide_with = objections.accommodate if form.decision.data == "accommodated" else objections.not_accommodate
        try:
            decide_with(found, reason=form.reason.data or "", actor=Actor.of(current_user))
        except (ChangeError, IllegalTransition) as error:
            db.session.rollback()
            form.decision.errors = [*form.decision.errors, str(error)]
        else:
            db.session.commit()
            success(
                _(
                    "Decision recorded for %(name)s: %(state)s.",
                    name=found.tenancy.name,
                    state=found.state.label.lower(),
                )
            )
            return redirect(url_for("changes_admin.objection", objection_id=objection_id))
    return _objection_page(objection_id, form), 400


def _get(objection_id: int) -> Objection:
    found = queries.objection_with_steps(objection_id)
    if found is None:
        abort(404)
    return found


def _objection_page(objection_id: int, form: DecideForm) -> str:
    found = _get(objection_id)
    allowed = TRANSITIONS[found.state]
    return render_template(
        "changes/admin_objection.html",
        objection=found,
        form=form,
        can_acknowledge=ObjectionState.ACKNOWLEDGED in allowed,
        can_decide=ObjectionState.ACCOMMODATED in allowed,
        # Whom staff can reach about it: who lodged it, and everyone each step is mailed to (#25).
        lodged_by=db.session.get(User, found.lodged_by_id) if found.lodged_by_id else None,
        contacts=objection_mail.lead_addresses(found.tenancy),
    )
