"""Forms for editing the register, defining options and switching them for a tenancy."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
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

SLUG = Regexp(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$", message=_l("Use lower-case letters, digits and hyphens"))
ON_OFF = [SelectChoice("on", _l("On")), SelectChoice("off", _l("Off"))]


def _text(label: Any, *, required: Any = None, length: int = 200) -> StringField:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    return StringField(label, validators=[*validators, Length(max=length)], widget=GovTextInput())


def _area(label: Any, *, required: Any = None) -> TextAreaField:
    validators: list[Any] = [DataRequired(message=required)] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=4000)], widget=GovTextArea())


def _date(label: Any, *, required: Any = None) -> DateField:
    validators: list[Any] = [InputRequired(message=required)] if required else [Optional()]
    return DayField(label, validators)


class EntryForm(FactsFields, FlaskForm):
    """One supplier in the draft: every field the public register shows, and its controlled facts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_fact_choices()

    key = StringField(
        _l("Key"),
        description=_l("A short name that stays the same across versions, for example azure-openai"),
        validators=[DataRequired(message=_l("Enter a key")), SLUG, Length(max=60)],
        widget=GovTextInput(),
    )
    supplier = _text(_l("Supplier"), required=_l("Enter the supplier's name"))
    parent_entity = _text(_l("Parent entity"))
    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice(k.value, k.label) for k in EntryKind],
        validators=[InputRequired(message=_l("Choose whether it is a data sub-processor or a platform utility"))],
        widget=GovRadioInput(),
    )
    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, s.label) for s in EntryStatus],
        validators=[InputRequired(message=_l("Choose a status"))],
        widget=GovRadioInput(),
    )
    condition_service = _text(_l("Conditional on (for a conditional entry)"))
    effective_on = _date(_l("Takes effect on (for a planned entry)"))
    retires_on = _date(_l("To be removed on (if announced)"))
    services_used = _area(_l("Services used"))
    purpose = _area(_l("Function or purpose"), required=_l("Enter what the supplier does for the service"))
    data_categories = _area(_l("Data categories processed"))
    location = _text(_l("Location"), required=_l("Enter where the data is processed"))
    residency_note = _area(_l("Residency note"))
    certifications = _text(_l("Certifications"), length=400)
    dpa_reference = _text(_l("DPA reference"), length=400)
    privacy_contact = _text(_l("Privacy contact"), length=320)
    risk_note = _area(_l("Risk note"))
    # The Welsh beside each English text schools read (#29): blank shows the English, marked as such.
    services_used_cy = _area(_l("Services used, in Welsh"))
    purpose_cy = _area(_l("Function or purpose, in Welsh"))
    data_categories_cy = _area(_l("Data categories processed, in Welsh"))
    location_cy = _text(_l("Location, in Welsh"))
    residency_note_cy = _area(_l("Residency note, in Welsh"))
    risk_note_cy = _area(_l("Risk note, in Welsh"))
    dpf_checked_on = _date(_l("Date the supplier's Data Privacy Framework certification was checked"))
    submit = SubmitField(_l("Save entry"), widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then what depends on the status (an Optional field skips its own inline checks)."""
        valid = bool(super().validate(extra_validators))
        valid = self.validate_facts() and valid
        status = self.status.data
        if status == EntryStatus.CONDITIONAL.value and not (self.condition_service.data or "").strip():
            self.condition_service.errors = [
                *self.condition_service.errors,
                _("Enter the service a conditional entry depends on"),
            ]
            valid = False
        if status == EntryStatus.PLANNED.value and self.effective_on.data is None and not self.effective_on.errors:
            self.effective_on.errors = [*self.effective_on.errors, _("Enter the date a planned entry takes effect")]
            valid = False
        return valid


class StatementForm(FlaskForm):
    """A supplier that is not a sub-processor, and why."""

    supplier = _text(_l("Supplier"), required=_l("Enter the supplier's name"))
    reason = _area(_l("Why it is not a sub-processor"), required=_l("Enter why it is not a sub-processor"))
    reason_cy = _area(_l("Why it is not a sub-processor, in Welsh"))
    submit = SubmitField(_l("Save statement"), widget=GovSubmitInput())


class NotesForm(FlaskForm):
    """General notes shown under the register's tables."""

    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)], widget=GovTextArea())
    notes_cy = TextAreaField(_l("Notes, in Welsh"), validators=[Optional(), Length(max=4000)], widget=GovTextArea())
    submit = SubmitField(_l("Save notes"), widget=GovSubmitInput())


class PublishForm(FlaskForm):
    """What a reader needs to know about the new version."""

    number = StringField(
        _l("Version number"),
        validators=[
            DataRequired(message=_l("Enter the version number")),
            Regexp(r"^\d+(\.\d+){0,2}$", message=_l("Enter a version number like 1.5")),
            Length(max=16),
        ],
        widget=GovTextInput(),
    )
    owner_name = _text(_l("Owner"), required=_l("Enter the register's owner, for example Helen Marsh, Chief Executive"))
    contact_email = StringField(
        _l("Contact email address"),
        validators=[
            DataRequired(message=_l("Enter a contact email address")),
            Email(message=_l("Enter an email address in the correct format, like privacy@example.com")),
            Length(max=320),
        ],
        widget=GovTextInput(),
    )
    reviewed_on = _date(_l("Reviewed on"), required=_l("Enter the date the register was reviewed"))
    next_review_on = _date(_l("Next review by"), required=_l("Enter the date of the next review"))
    summary = TextAreaField(
        _l("What changed"),
        description=_l("Sent to subscribers and data leads, and shown with the version"),
        validators=[DataRequired(message=_l("Summarise what changed in this version")), Length(max=4000)],
        widget=GovTextArea(),
    )
    summary_cy = _area(_l("What changed, in Welsh"))
    submit = SubmitField(_l("Publish version"), widget=GovSubmitInput())


class OptionDefinitionForm(FlaskForm):
    """An option tenancies may set, and the entries it governs."""

    key = StringField(
        _l("Key"), validators=[DataRequired(message=_l("Enter a key")), SLUG, Length(max=60)], widget=GovTextInput()
    )
    name = _text(_l("Name"), required=_l("Enter the option's name"))
    description = _area(
        _l("What it does and what switching it changes"), required=_l("Explain what the option changes")
    )
    name_cy = _text(_l("Name, in Welsh"))
    description_cy = _area(_l("What it does and what switching it changes, in Welsh"))
    default = RadioField(
        _l("Default for tenancies that have not chosen"),
        choices=ON_OFF,
        validators=[InputRequired(message=_l("Choose the default"))],
        widget=GovRadioInput(),
    )
    entry_keys = SelectMultipleField(
        _l("Register entries it governs (each is in only while the option is on)"),
        validators=[Optional()],
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField(_l("Save option"), widget=GovSubmitInput())


class OptionForm(FlaskForm):
    """Switch one option for one tenancy; carries the setting's version the user saw."""

    class Meta:
        # Several prefixed forms share one page; CSRFProtect checks every POST's csrf_token anyway.
        csrf = False

    enabled = RadioField(
        "", choices=ON_OFF, validators=[InputRequired(message=_l("Choose on or off"))], widget=GovRadioInput()
    )
    version = HiddenField(validators=[Regexp(r"^\d{1,9}$", message=_l("Reload the page and try again"))])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class TrustOptionForm(FlaskForm):
    """Switch one option for every academy of a trust; carries each academy's version."""

    class Meta:
        csrf = False

    enabled = RadioField(
        "", choices=ON_OFF, validators=[InputRequired(message=_l("Choose on or off"))], widget=GovRadioInput()
    )
    versions = HiddenField(
        validators=[Regexp(r"^(\d{1,12}:\d{1,9})(,\d{1,12}:\d{1,9})*$", message=_l("Reload the page and try again"))]
    )
    submit = SubmitField(_l("Save for all academies"), widget=GovSubmitInput())

    def expected_versions(self) -> dict[int, int]:
        pairs = (item.split(":") for item in (self.versions.data or "").split(",") if item)
        return {int(academy): int(version) for academy, version in pairs}
