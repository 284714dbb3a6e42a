"""The GIAS upload form."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from portal.web.forms import FlaskForm


class UploadForm(FlaskForm):
    extract = FileField(
        "Upload a GIAS extract",
        widget=GovFileInput(),
        validators=[FileRequired("Select a GIAS extract CSV file")],
    )
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Import these changes", widget=GovSubmitInput())
