"""Forms for incidents: opening and editing (staff), the list, notices and updates, and a school's report."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.dates import uk_today
from portal.web.forms import DayField, FlaskForm, SubmissionKeyMixin

TEXT_MAX = 5000
TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


class Form(FlaskForm):
    """A form whose CSRF token is the page's plain `csrf_token` (CSRFProtect checks every POST app-wide),
    so several prefixed forms can share one page."""

    class Meta:
        csrf = False


def _text(label: Any, required: Any = None, *, hint_max: int = TEXT_MAX) -> TextAreaField:
    validators: list[Any] = [Length(max=hint_max, message=_l("Keep this to %(max)d characters or fewer", max=hint_max))]
    validators.insert(0, DataRequired(message=required) if required else Optional())
    return TextAreaField(label, widget=GovTextArea(), validators=validators)


def parse_time(text: str) -> tuple[int, int] | None:
    match = TIME.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


class IncidentForm(Form):
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[
            DataRequired(message=_l("Enter a title")),
            Length(max=200, message=_l("Title must be 200 characters or fewer")),
        ],
    )
    aware_date = DayField(
        _l("Date the vendor became aware"), [InputRequired(message=_l("Enter the date you became aware"))]
    )
    aware_time = StringField(
        _l("Time the vendor became aware (UK time, 24-hour clock, like 14:30)"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter the time you became aware, like 14:30"))],
    )
    what_happened = _text(_l("What happened"), _l("Describe what happened"))
    entry_keys = SelectMultipleField(_l("Suppliers involved"), widget=GovCheckboxesInput(), validators=[Optional()])
    services = _text(_l("Services involved"))
    data_categories = _text(_l("Data categories involved"))
    period_start = DayField(
        _l("First day the incident concerns"), [InputRequired(message=_l("Enter the first day the incident concerns"))]
    )
    period_end = DayField(
        _l("Last day the incident concerns"), [InputRequired(message=_l("Enter the last day the incident concerns"))]
    )
    nature = _text(_l("Nature of the breach, with the categories and approximate numbers of people and records"))
    nature_unknown_reason = _text(_l("Nature not yet known: why"))
    consequences = _text(_l("Likely consequences"))
    consequences_unknown_reason = _text(_l("Consequences not yet known: why"))
    measures = _text(_l("Measures taken or proposed"))
    measures_unknown_reason = _text(_l("Measures not yet known: why"))
    contact = _text(_l("Contact point for more information"))
    contact_unknown_reason = _text(_l("Contact point not yet known: why"))
    submit = SubmitField(_l("Save the incident"), widget=GovSubmitInput())

    def validate_aware_time(self, field: Any) -> None:
        if field.data and parse_time(field.data) is None:
            raise ValidationError(str(_l("Enter the time as hours and minutes on the 24-hour clock, like 14:30")))

    def aware_hour_minute(self) -> tuple[int, int]:
        found = parse_time(self.aware_time.data or "")
        assert found is not None
        return found


class AddTenancyForm(Form):
    school = StringField(
        _l("School or trust: its URN, group id or portal address name"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter the school's URN, group id or address name")), Length(max=80)],
    )
    reason = _text(_l("Why it is affected"), _l("Enter why this school is affected"))
    submit = SubmitField(_l("Add to the list"), widget=GovSubmitInput())


class RemoveTenancyForm(Form):
    school = StringField(
        _l("School or trust: its URN, group id or portal address name"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter the school's URN, group id or address name")), Length(max=80)],
    )
    reason = _text(_l("Why it is not affected"), _l("Enter why this school is not affected"))
    submit = SubmitField(_l("Take off the list"), widget=GovSubmitInput())


class NotifyForm(Form):
    submit = SubmitField(_l("Send the notice to every school on the list"), widget=GovSubmitInput())


class UpdateForm(SubmissionKeyMixin, Form):
    """An update to every listed school, sent once however often the button is pressed."""

    text = _text(_l("Update"), _l("Enter the update"))
    submit = SubmitField(_l("Send the update"), widget=GovSubmitInput())


class CloseForm(Form):
    outcome = _text(_l("Outcome"), _l("Enter the outcome"))
    submit = SubmitField(_l("Close the incident"), widget=GovSubmitInput())


class DismissForm(Form):
    reason = _text(_l("Why this is not a personal data breach"), _l("Enter why this is not a personal data breach"))
    submit = SubmitField(_l("Record: not a breach"), widget=GovSubmitInput())


class PlainForm(Form):
    """A button and its CSRF token (acknowledge, remind, take on a report)."""

    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ReportForm(Form):
    what = _text(_l("What happened"), _l("Describe what happened"))
    noticed_on = DayField(_l("When you noticed it"), [InputRequired(message=_l("Enter the date you noticed it"))])
    contact = StringField(
        _l("Who we should contact (name, email or phone)"),
        widget=GovTextInput(),
        validators=[DataRequired(message=_l("Enter who we should contact")), Length(max=300)],
    )
    submit = SubmitField(_l("Report to the vendor"), widget=GovSubmitInput())

    def validate_noticed_on(self, field: Any) -> None:
        if field.data is not None and field.data > uk_today() + dt.timedelta(days=1):
            raise ValidationError(str(_l("The date you noticed it must be today or in the past")))
