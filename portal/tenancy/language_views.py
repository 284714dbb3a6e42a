"""A school's or trust's language (#29): mail and documents for anyone who has not chosen their own."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portal import policy
from portal.audit import service as audit
from portal.extensions import db
from portal.policy import Permission
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy, tenancy_blueprint
from portal.web.forms import FlaskForm
from portal.web.language import LANGUAGES, NAMES
from portal.web.messages import success

bp = tenancy_blueprint("tenancy_language", __name__)
MANAGE = policy.tenancy(Permission.MANAGE_OPTIONS)


class TenancyLanguageForm(FlaskForm):
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(code, NAMES[code], render_kw={"lang": code}) for code in LANGUAGES],
        widget=GovRadioInput(),
        validators=[DataRequired(message=_l("Select English or Cymraeg"))],
    )
    submit = SubmitField(_l("Save language"), widget=GovSubmitInput())


def choose_language(tenancy: Tenancy, language: str, *, actor: audit.Actor) -> bool:
    """Set the tenancy's language; False if it already was. Audited; the caller commits."""
    if language not in LANGUAGES:
        raise ValueError(language)
    if tenancy.language == language:
        return False
    audit.record(
        "tenancy.language_chosen",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy",
        object_id=tenancy.id,
        details={"from": tenancy.language, "to": language},
    )
    tenancy.language = language
    db.session.flush()
    return True


@bp.route("/language", methods=["GET", "POST"])
@policy.allow(MANAGE)
def language() -> str | Response:
    tenancy = current_tenancy()
    form = TenancyLanguageForm(data={"language": tenancy.language})
    if form.validate_on_submit():
        chosen = str(form.language.data)
        if choose_language(tenancy, chosen, actor=audit.Actor.of(current_user)):
            db.session.commit()
            if chosen == "cy":
                success(_("%(name)s's mail and documents are now in Welsh.", name=tenancy.name))
            else:
                success(_("%(name)s's mail and documents are now in English.", name=tenancy.name))
        return redirect(url_for("tenancy.overview"))
    return render_template("tenancy/language.html", tenancy=tenancy, form=form)
