"""Forms for editing the register, defining options and switching them for a tenancy."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from portal.register.fact_forms import FactsFields
from portal.register.models import EntryKind, EntryStatus
from portal.web.forms import DayField, FlaskForm

SLUG = Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$", message="Use lower-case letters, digits and hyphens")
ON_OFF = [SelectChoice("on", "On"), SelectChoice("off", "Off")]


def _text(label: str, *, required: str | None = None, length: int = 200) -> StringField:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=length)], widget=GovTextInput())


def _area(label: str, *, required: str | None = None) -> TextAreaField:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=4000)], widget=GovTextArea())


def _date(label: str, *, required: str | None = None) -> DateField:
    validators: list[Any] = [InputRequired(message=required)] if required else [Optional()]
    return DayField(label, validators)


class EntryForm(FactsFields, FlaskForm):
    """One supplier in the draft: every field the public register shows, and its controlled facts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_fact_choices()

    key = StringField(
        "Key",
        description="A short name that stays the same across versions, for example azure-openai",
        validators=[DataRequired(message="Enter a key"), SLUG, Length(max=60)],
        widget=GovTextInput(),
    )
    supplier = _text("Supplier", required="Enter the supplier's name")
    parent_entity = _text("Parent entity")
    kind = RadioField(
        "Kind",
        choices=[SelectChoice(k.value, k.label) for k in EntryKind],
        validators=[InputRequired(message="Choose whether it is a data sub-processor or a platform utility")],
        widget=GovRadioInput(),
    )
    status = RadioField(
        "Status",
        choices=[SelectChoice(s.value, s.label) for s in EntryStatus],
        validators=[InputRequired(message="Choose a status")],
        widget=GovRadioInput(),
    )
    condition_service = _text("Conditional on (for a conditional entry)")
    effective_on = _date("Takes effect on (for a planned entry)")
    retires_on = _date("To be removed on (if announced)")
    services_used = _area("Services used")
    purpose = _area("Function or purpose", required="Enter what the supplier does for the service")
    data_categories = _area("Data categories processed")
    location = _text("Location", required="Enter where the data is processed")
    residency_note = _area("Residency note")
    certifications = _text("Certifications", length=400)
    dpa_reference = _text("DPA reference", length=400)
    privacy_contact = _text("Privacy contact", length=320)
    risk_note = _area("Risk note")
    dpf_checked_on = _date(_l("Date the supplier's Data Privacy Framework certification was checked"))
    submit = SubmitField("Save entry", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then what depends on the status (an Optional field skips its own inline checks)."""
        valid = bool(super().validate(extra_validators))
        valid = self.validate_facts() and valid
        status = self.status.data
        if status == EntryStatus.CONDITIONAL.value and not (self.condition_service.data or "").strip():
            self.condition_service.errors = [
                *self.condition_service.errors,
                "Enter the service a conditional entry depends on",
            ]
            valid = False
        if status == EntryStatus.PLANNED.value and self.effective_on.data is None and not self.effective_on.errors:
            self.effective_on.errors = [*self.effective_on.errors, "Enter the date a planned entry takes effect"]
            valid = False
        return valid


class StatementForm(FlaskForm):
    """A supplier that is not a sub-processor, and why."""

    supplier = _text("Supplier", required="Enter the supplier's name")
    reason = _area("Why it is not a sub-processor", required="Enter why it is not a sub-processor")
    submit = SubmitField("Save statement", widget=GovSubmitInput())


class NotesForm(FlaskForm):
    """General notes shown under the register's tables."""

    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)], widget=GovTextArea())
    submit = SubmitField("Save notes", widget=GovSubmitInput())


class PublishForm(FlaskForm):
    """What a reader needs to know about the new version."""

    number = StringField(
        "Version number",
        validators=[
            DataRequired(message="Enter the version number"),
            Regexp(r"^\d+(\.\d+){0,2}$", message="Enter a version number like 1.5"),
            Length(max=16),
        ],
        widget=GovTextInput(),
    )
    owner_name = _text("Owner", required="Enter the register's owner, for example Helen Marsh, Chief Executive")
    contact_email = StringField(
        "Contact email address",
        validators=[
            DataRequired(message="Enter a contact email address"),
            Email(message="Enter an email address in the correct format, like privacy@example.com"),
            Length(max=320),
        ],
        widget=GovTextInput(),
    )
    reviewed_on = _date("Reviewed on", required="Enter the date the register was reviewed")
    next_review_on = _date("Next review by", required="Enter the date of the next review")
    summary = TextAreaField(
        "What changed",
        description="Sent to subscribers and data leads, and shown with the version",
        validators=[DataRequired(message="Summarise what changed in this version"), Length(max=4000)],
        widget=GovTextArea(),
    )
    submit = SubmitField("Publish version", widget=GovSubmitInput())


class OptionDefinitionForm(FlaskForm):
    """An option tenancies may set, and the entries it governs."""

    key = StringField(
        "Key", validators=[DataRequired(message="Enter a key"), SLUG, Length(max=60)], widget=GovTextInput()
    )
    name = _text("Name", required="Enter the option's name")
    description = _area("What it does and what switching it changes", required="Explain what the option changes")
    default = RadioField(
        "Default for tenancies that have not chosen",
        choices=ON_OFF,
        validators=[InputRequired(message="Choose the default")],
        widget=GovRadioInput(),
    )
    entry_keys = SelectMultipleField(
        "Register entries it governs (each is in only while the option is on)",
        validators=[Optional()],
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Save option", widget=GovSubmitInput())


class OptionForm(FlaskForm):
    """Switch one option for one tenancy; carries the setting's version the user saw."""

    class Meta:
        # Several prefixed forms share one page; CSRFProtect checks every POST's csrf_token anyway.
        csrf = False

    enabled = RadioField(
        "", choices=ON_OFF, validators=[InputRequired(message="Choose on or off")], widget=GovRadioInput()
    )
    version = HiddenField(validators=[Regexp(r"^\d{1,9}$", message="Reload the page and try again")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class TrustOptionForm(FlaskForm):
    """Switch one option for every academy of a trust; carries each academy's version."""

    class Meta:
        csrf = False

    enabled = RadioField(
        "", choices=ON_OFF, validators=[InputRequired(message="Choose on or off")], widget=GovRadioInput()
    )
    versions = HiddenField(
        validators=[Regexp(r"^(\d{1,12}:\d{1,9})(,\d{1,12}:\d{1,9})*$", message="Reload the page and try again")]
    )
    submit = SubmitField("Save for all academies", widget=GovSubmitInput())

    def expected_versions(self) -> dict[int, int]:
        pairs = (item.split(":") for item in (self.versions.data or "").split(",") if item)
        return {int(academy): int(version) for academy, version in pairs}
