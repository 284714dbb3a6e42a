"""Forms: signing an agreement, signing for academies, publishing a text version, and checking a file."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from portal.web.forms import FlaskForm, SubmissionKeyMixin, signer_fields

# Each language named in itself, as a language switch does (#29): not translated.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}


def current_language() -> str:
    """The page's language, the sign form's default language version."""
    return str(get_locale() or "en").split("_")[0]


class PartiesForm(FlaskForm):
    """Step 1 of signing: annex I as the controller's records give it, and who signs."""

    controller_address = TextAreaField(
        _l("Controller's address"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter the controller's address")),
            Length(max=400, message=_l("The address must be 400 characters or fewer")),
        ],
    )
    proprietor_name = StringField(
        _l("Proprietor's legal name"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The proprietor's legal name must be 200 characters or fewer"))],
    )
    companies_house_number = StringField(
        _l("Trust's Companies House number"),
        widget=GovTextInput(),
        validators=[Length(max=8, message=_l("Enter a Companies House number of 8 characters, like 09876543"))],
    )
    dpo_name = StringField(
        _l("Data protection officer's name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the data protection officer's name")), Length(max=200)],
    )
    dpo_email = StringField(
        _l("Data protection officer's email address"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the data protection officer's email address")), Length(max=320)],
    )
    ico_registration = StringField(
        _l("ICO registration number"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the ICO registration number")), Length(max=20)],
    )
    notice_contact_name = StringField(
        _l("Name of the contact for notices"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the name of the contact for notices")), Length(max=200)],
    )
    notice_contact_email = StringField(
        _l("Email address for notices"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the email address for notices")), Length(max=320)],
    )
    signer_name, signer_role = signer_fields()
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class TrustPartiesForm(PartiesForm):
    """Step 1 for a trust: which of its academies (and itself, where its staff use the service) to sign for."""

    targets = SelectMultipleField(
        _l("Sign for"),
        widget=GovCheckboxesInput(),
        validators=[DataRequired(_l("Select at least one academy"))],
    )


class SignForm(SubmissionKeyMixin, FlaskForm):
    """The declaration after checking the answers: the text version read travels with it.

    `submission_key` is the form's one-time key: made when the form is first shown, kept when it
    comes back with errors, so pressing the button twice, or Back and again, signs once (#17).
    """

    version = HiddenField()
    # The language version signed: its choices are the version's languages (the view sets them).
    language = RadioField(
        _l("The language you sign the agreement in"),
        widget=GovRadioInput(),
        default=current_language,
        choices=[SelectChoice("en", LANGUAGE_NAMES["en"])],
    )
    sign_again = BooleanField(
        _l("Sign again to record today's sub-processors"),
        widget=GovCheckboxInput(),
    )
    confirm = BooleanField(
        _l("I confirm I have authority to sign this agreement"),
        widget=GovCheckboxInput(),
        validators=[InputRequired(_l("Confirm that you have authority to sign this agreement"))],
    )
    submit = SubmitField(_l("Accept and sign"), widget=GovSubmitInput())


class PublishForm(FlaskForm):
    summary = TextAreaField(
        _l("Summary of what changed"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter a summary of what changed")),
            Length(max=1000, message=_l("Summary of changes must be 1000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Publish a new version"), widget=GovSubmitInput())


class VerifyForm(FlaskForm):
    document = FileField(
        _l("Upload the agreement (PDF)"),
        widget=GovFileInput(),
        validators=[FileRequired(_l("Select the PDF file of the agreement"))],
    )
    submit = SubmitField(_l("Check the agreement"), widget=GovSubmitInput())


class RetryForm(FlaskForm):
    """Put a signing job's failed academies back in the queue (the job's state decides; a second press does nothing)."""

    submit = SubmitField(_l("Try the failed ones again"), widget=GovSubmitInput())
