"""Forms: signing an agreement, signing for academies, publishing a text version, and checking a file."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.documents.signing import new_submission_key
from portal.web.forms import FlaskForm


class SignForm(FlaskForm):
    """The signer's name, role and confirmation of authority (the text version read travels with it).

    `submission_key` is the form's one-time key: made when the form is first shown, kept when it
    comes back with errors, so pressing the button twice, or Back and again, signs once (#17).
    """

    version = HiddenField()
    submission_key = HiddenField()
    sign_again = BooleanField(
        _l("Sign again to record today's sub-processors"),
        widget=GovCheckboxInput(),
    )
    signer_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your full name"),
            Length(max=200, message="Your full name must be 200 characters or fewer"),
        ],
    )
    signer_role = StringField(
        "Your role",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter your role"),
            Length(max=200, message="Your role must be 200 characters or fewer"),
        ],
    )
    confirm = BooleanField(
        "I confirm I have authority to sign this agreement for the controller",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you have authority to sign for the controller")],
    )
    submit = SubmitField("Sign the agreement", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()


class SignAcademiesForm(SignForm):
    """Signing for some or all academies of a trust in one step."""

    academies = SelectMultipleField(
        "Academies to sign for",
        widget=GovCheckboxesInput(),
        validators=[DataRequired("Select at least one academy")],
    )
    submit = SubmitField("Sign for the selected academies", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    summary = TextAreaField(
        "Summary of what changed",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter a summary of what changed"),
            Length(max=1000, message="Summary of changes must be 1000 characters or fewer"),
        ],
    )
    submit = SubmitField("Publish a new version", widget=GovSubmitInput())


class VerifyForm(FlaskForm):
    document = FileField(
        "Upload the agreement (PDF)",
        widget=GovFileInput(),
        validators=[FileRequired("Select the PDF file of the agreement")],
    )
    submit = SubmitField("Check the agreement", widget=GovSubmitInput())
