"""The GIAS upload form and the confirmation of an import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from portal.web.forms import FlaskForm


class UploadForm(FlaskForm):
    extract = FileField(
        _l("Upload a GIAS extract"),
        widget=GovFileInput(),
        validators=[FileRequired(_l("Select a GIAS extract CSV file"))],
    )
    submit = SubmitField(_l("Upload and preview"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Import these changes"), widget=GovSubmitInput())
