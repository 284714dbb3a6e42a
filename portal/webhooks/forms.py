"""The form that registers a webhook endpoint."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.web.forms import FlaskForm
from portal.webhooks.endpoints import new_submission_key
from portal.webhooks.events import EVENT_TYPES

_EVENT_LABELS = {
    "tenancy.option_changed": _l("A school or trust switched an option"),
    "tenancy.exclusion_added": _l("An upheld objection keeps a supplier out for a school"),
    "objection.decided": _l("An objection was decided"),
    "change.announced": _l("A change to the register was announced"),
    "register.published": _l("A new register version was published"),
    "incident.published": _l("A breach notice was sent to schools"),
}


class EndpointForm(FlaskForm):
    """`submission_key` is made when the form is first shown: pressing twice registers one endpoint."""

    url = StringField(
        _l("Address"),
        description=_l("Where the platform receives events, for example https://platform.example/webhooks"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the endpoint's address")), Length(max=500)],
    )
    description = StringField(
        _l("Name (optional)"),
        description=_l("For example “Learning platform (production)”"),
        widget=GovTextInput(),
        validators=[Length(max=100)],
    )
    tenancy = StringField(
        _l("Only for one school or trust (optional)"),
        description=_l("Its URN or URL name. Leave blank to send every school's and trust's events."),
        widget=GovTextInput(),
        validators=[Length(max=80)],
    )
    events = SelectMultipleField(
        _l("Events to send"),
        choices=[SelectChoice(key, _EVENT_LABELS[key]) for key in EVENT_TYPES],
        widget=GovCheckboxesInput(),
        validators=[InputRequired(_l("Select the events to send"))],
    )
    submission_key = HiddenField()
    submit = SubmitField(_l("Register endpoint"), widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()
        if self.events.data is None:
            self.events.data = list(EVENT_TYPES)
