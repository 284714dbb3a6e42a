"""Changes waiting for the platform, on the vendor console; staff confirm by hand without a platform (#27)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import policy
from portal.api.confirmations import ConfirmationError, confirm_exclusion, confirm_option
from portal.audit.service import Actor
from portal.dates import now
from portal.extensions import db
from portal.register.models import TenancyExclusion, TenancyOption, TenancyOptionSetting
from portal.tenancy.models import Tenancy
from portal.web.messages import success

bp = policy.declare(
    Blueprint("applying", __name__, url_prefix="/vendor/applying"), policy.vendor(policy.Permission.VENDOR_CONSOLE)
)
LIMIT = 200


@bp.get("")
def index() -> str:
    settings = db.session.execute(
        select(TenancyOptionSetting, Tenancy, TenancyOption)
        .join(Tenancy, Tenancy.id == TenancyOptionSetting.tenancy_id)
        .join(TenancyOption, TenancyOption.id == TenancyOptionSetting.option_id)
        .where(TenancyOptionSetting.applied_at.is_(None))
        .order_by(TenancyOptionSetting.updated_at)
        .limit(LIMIT)
    ).all()
    exclusions = db.session.execute(
        select(TenancyExclusion, Tenancy)
        .join(Tenancy, Tenancy.id == TenancyExclusion.tenancy_id)
        .where(TenancyExclusion.applied_at.is_(None))
        .order_by(TenancyExclusion.since)
        .limit(LIMIT)
    ).all()
    return render_template("applying/index.html", settings=settings, exclusions=exclusions)


def _done(action: Any) -> Response:
    try:
        action()
    except ConfirmationError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        success(_("Recorded as applied now"))
    return redirect(url_for("applying.index"))


@bp.post("/options/<int:setting_id>")
def confirm_setting(setting_id: int) -> Response:
    setting = db.session.get(TenancyOptionSetting, setting_id) or abort(404)
    tenancy = db.session.get_one(Tenancy, setting.tenancy_id)
    actor = Actor.of(current_user)
    return _done(lambda: confirm_option(tenancy, setting.option.key, setting.version, now(), actor=actor))


@bp.post("/exclusions/<int:exclusion_id>")
def confirm_excluded(exclusion_id: int) -> Response:
    exclusion = db.session.get(TenancyExclusion, exclusion_id) or abort(404)
    tenancy = db.session.get_one(Tenancy, exclusion.tenancy_id)
    actor = Actor.of(current_user)
    return _done(lambda: confirm_exclusion(tenancy, exclusion.entry_key, now(), actor=actor))
