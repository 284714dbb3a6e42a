"""Forms: the overview draft, uploads, requests, decisions, the NDA acceptance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.trusthub.models import AccessLevel
from portal.web.forms import DayField, FlaskForm, signer_fields

SECTION_MAX = 20000


def _section(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            Length(max=SECTION_MAX, message=_l("Each section must be %(max)s characters or fewer", max=SECTION_MAX))
        ],
    )


def _number(label: str, high: int) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter a whole number")),
            NumberRange(min=1, max=high, message=_l("Enter a whole number from 1 to %(high)s", high=high)),
        ],
    )


class OverviewForm(FlaskForm):
    summary = _section(_l("Summary of this version"))
    encryption = _section(_l("Encryption"))
    access_control = _section(_l("Access control"))
    logging_monitoring = _section(_l("Logging and monitoring"))
    vulnerability_management = _section(_l("Vulnerability management and disclosure"))
    acknowledge_business_days = _number(_l("We acknowledge a vulnerability report within (business days)"), 30)
    triage_business_days = _number(_l("We triage a vulnerability report within (business days)"), 60)
    incident_response = _section(_l("Incident response"))
    business_continuity = _section(_l("Business continuity"))
    rto_hours = _number(_l("Recovery time objective (hours)"), 720)
    rpo_hours = _number(_l("Recovery point objective (hours)"), 720)
    backup_retention_days = _number(_l("Backups kept for (days)"), 3650)
    certifications = _section(_l("Our own certifications"))
    submit = SubmitField(_l("Save the draft"), widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and its CSRF token (publish, start a draft, revoke, withdraw)."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class UploadForm(FlaskForm):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[
            DataRequired(_l("Enter a title")),
            Length(max=200, message=_l("Title must be 200 characters or fewer")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        widget=GovTextArea(),
        validators=[Length(max=2000, message=_l("Description must be 2000 characters or fewer"))],
    )
    access_level = RadioField(
        _l("Who may download it"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice(AccessLevel.PUBLIC.value, _l("Anyone")),
            SelectChoice(AccessLevel.CUSTOMER.value, _l("Any signed-in school or trust user")),
            SelectChoice(AccessLevel.ON_REQUEST.value, _l("On request, approved by us, under the NDA")),
        ],
        validators=[InputRequired(_l("Select who may download it"))],
    )
    review_on = DayField(
        _l("Next review date"),
        [InputRequired(_l("Enter the next review date"))],
        invalid=_l("The review date must be a real date, like 27 3 2027"),
    )
    document = FileField(
        _l("The document (PDF)"), widget=GovFileInput(), validators=[FileRequired(_l("Select a PDF file"))]
    )
    submit = SubmitField(_l("Upload the document"), widget=GovSubmitInput())


class RequestForm(FlaskForm):
    tenancy = SelectField(
        _l("For which organisation"), widget=GovSelect(), validators=[DataRequired(_l("Select your organisation"))]
    )
    purpose = TextAreaField(
        _l("What do you need it for?"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter what you need the document for")),
            Length(max=2000, message=_l("What you need the document for must be 2000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Send the request"), widget=GovSubmitInput())


class ApproveForm(FlaskForm):
    days = IntegerField(
        _l("Days the access lasts"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter how many days the access lasts")),
            NumberRange(min=1, max=90, message=_l("Access must last between 1 and 90 days")),
        ],
    )
    submit = SubmitField(_l("Approve"), widget=GovSubmitInput())


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for refusing"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter the reason for refusing")),
            Length(max=2000, message=_l("The reason must be 2000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Refuse"), widget=GovSubmitInput())


class NdaForm(FlaskForm):
    version = HiddenField()
    signer_name, signer_role = signer_fields()
    confirm = BooleanField(
        _l("I accept these terms for my organisation and may do so"),
        widget=GovCheckboxInput(),
        validators=[InputRequired(_l("Confirm that you accept the terms for your organisation"))],
    )
    submit = SubmitField(_l("Accept the terms"), widget=GovSubmitInput())


class NdaPublishForm(FlaskForm):
    summary = TextAreaField(
        _l("Summary of what changed"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Enter a summary of what changed")),
            Length(max=1000, message=_l("Summary of changes must be 1000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Publish a new version of the terms"), widget=GovSubmitInput())
